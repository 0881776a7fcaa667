import { randomInt } from 'node:crypto';
import type { Prisma } from '@prisma/client';
import { withTenant } from '../../db/tenant';
import { contactContext, correctionContext, verificationCodeHash } from '../../domain/crypto/privacy-keys';
import { SmsPermanentError } from '../../providers/sms/sms-provider';
import type { PrivacyRequestStatus, PrivacyRequestType } from '../../workflows/privacy/definitions';
import { createErasureActivities } from './erasure';
import { createVerificationEmailActivities, type VerificationEmailDeps } from './send-verification-email';
import { requireKeys, type OutcomeJson, type PrivacyDeps } from './privacy-deps';

export const CODE_TTL_MS = 30 * 60_000;

export function createPrivacyActivities(deps: PrivacyDeps & Pick<VerificationEmailDeps, 'email' | 'emailFrom'>) {
  const { db, sms, log } = deps;

  async function saveOutcome(
    businessId: string,
    requestId: string,
    change: (o: OutcomeJson) => OutcomeJson,
    data: Prisma.PrivacyRequestUpdateInput = {},
  ) {
    await withTenant(db, businessId, async (tx) => {
      const row = await tx.privacyRequest.findUniqueOrThrow({ where: { id: requestId }, select: { outcome: true } });
      const outcome = change((row.outcome ?? {}) as OutcomeJson);
      await tx.privacyRequest.update({
        where: { id: requestId },
        data: { ...data, outcome: outcome as Prisma.InputJsonValue },
      });
    });
  }

  return {
    ...createErasureActivities(deps),
    ...createVerificationEmailActivities(deps),

    async markPrivacyRequest(input: {
      requestId: string;
      businessId: string;
      status: PrivacyRequestStatus;
    }): Promise<void> {
      await withTenant(db, input.businessId, (tx) =>
        // A request completed or rejected stays so: a late retry cannot reopen it.
        tx.privacyRequest.updateMany({
          where: { id: input.requestId, status: { notIn: ['completed', 'rejected'] } },
          data: { status: input.status },
        }),
      );
    },

    /**
     * The one-time code, by SMS to the phone on file. A service message: it goes out even
     * when the lead objected to marketing or restricted processing (the person asked for
     * it). Outbox first, like every send: the row (which the local provider's outbox
     * shows) is written with the code's hash in one transaction, so a retry sends the
     * same code instead of a second one. The code itself never enters workflow history.
     */
    async sendVerificationCode(input: {
      requestId: string;
      businessId: string;
      subjectId: string;
      attempt: number;
    }): Promise<{ sent: boolean; reason?: string }> {
      const keys = requireKeys(deps.privacyKeys);
      const idempotencyKey = `privacy-request-${input.requestId}:code-${input.attempt}`;
      const prepared = await withTenant(db, input.businessId, async (tx) => {
        const lead = await tx.lead.findUniqueOrThrow({
          where: { id: input.subjectId },
          select: { phone: true, erasedAt: true },
        });
        const business = await tx.business.findUniqueOrThrow({
          where: { id: input.businessId },
          select: { name: true, smsNumber: true },
        });
        const existing = await tx.message.findUnique({ where: { idempotencyKey } });
        if (existing) return { row: existing, created: false, to: lead.phone, from: business.smsNumber };
        if (lead.erasedAt || !lead.phone) return null;
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        const sealed = keys.box.seal(lead.phone, contactContext(input.requestId));
        await tx.privacyRequest.update({
          where: { id: input.requestId },
          data: {
            codeHash: verificationCodeHash(keys, input.requestId, code),
            codeExpiresAt: new Date(Date.now() + CODE_TTL_MS),
            contactKeyId: sealed.keyId,
            contactCiphertext: sealed.ciphertext,
          },
        });
        const row = await tx.message.create({
          data: {
            businessId: input.businessId,
            leadId: input.subjectId,
            direction: 'outbound',
            kind: 'verification_code',
            body: `${business.name}: your code for your privacy request is ${code}. It expires in 30 minutes. If you did not ask for it, ignore this text.`,
            status: 'sending',
            provider: sms.name,
            idempotencyKey,
          },
        });
        return { row, created: true, to: lead.phone, from: business.smsNumber };
      });
      if (!prepared) return { sent: false, reason: 'no_phone_on_file' };
      const { row, created, to, from } = prepared;
      if (row.providerId) return { sent: true };
      try {
        // A previous attempt may have reached the carrier and crashed before recording it.
        const earlier = created
          ? null
          : await sms.findSent({ from, to, body: row.body, since: new Date(row.createdAt.getTime() - 5_000) });
        const sent = earlier ?? (await sms.send({ from, to, body: row.body, clientRef: row.id }));
        await withTenant(db, input.businessId, (tx) =>
          tx.message.update({
            where: { id: row.id },
            data: { providerId: sent.providerId, status: sent.status, sentAt: new Date() },
          }),
        );
        log.info(
          { businessId: input.businessId, requestId: input.requestId, attempt: input.attempt },
          'privacy verification code sent',
        );
        return { sent: true };
      } catch (err) {
        if (!(err instanceof SmsPermanentError)) {
          await withTenant(db, input.businessId, (tx) =>
            tx.message.updateMany({ where: { id: row.id, providerId: null }, data: { status: 'unknown' } }),
          ).catch(() => {});
          throw err;
        }
        await withTenant(db, input.businessId, (tx) =>
          tx.message.update({ where: { id: row.id }, data: { status: 'failed', errorCode: err.code } }),
        );
        log.warn(
          { businessId: input.businessId, requestId: input.requestId, code: err.code },
          'privacy verification code refused by the carrier',
        );
        return { sent: false, reason: err.code };
      }
    },

    /** Due-date reminders and the escalation, for the business; ids only in the log. */
    async recordPrivacyDeadline(input: {
      requestId: string;
      businessId: string;
      kind: '7d' | '3d' | 'escalation';
      at: string;
    }): Promise<void> {
      if (input.kind === 'escalation') {
        await withTenant(db, input.businessId, (tx) =>
          tx.privacyRequest.updateMany({
            where: { id: input.requestId, escalatedAt: null },
            data: { escalatedAt: new Date(input.at) },
          }),
        );
        log.warn(
          { businessId: input.businessId, requestId: input.requestId, event: 'privacy_request_overdue' },
          'privacy request overdue: escalated',
        );
        return;
      }
      const kind = input.kind;
      await saveOutcome(input.businessId, input.requestId, (o) => ({
        ...o,
        reminders: (o.reminders ?? []).some((r) => r.kind === kind)
          ? o.reminders
          : [...(o.reminders ?? []), { kind, at: input.at }],
      }));
      log.info(
        {
          businessId: input.businessId,
          requestId: input.requestId,
          event: 'privacy_request_due_soon',
          daysLeft: Number.parseInt(kind, 10),
        },
        'privacy request due soon',
      );
    },

    /**
     * Restriction, objection, marketing opt-out: flags on the lead that the send activity
     * and the lead workflow obey. The workflow signals the lead workflow after this.
     */
    async applyProcessingLimit(input: {
      requestId: string;
      businessId: string;
      subjectId: string;
      type: Extract<PrivacyRequestType, 'restriction' | 'objection' | 'marketing_opt_out'>;
    }): Promise<void> {
      const data =
        input.type === 'restriction'
          ? { restricted: true }
          : input.type === 'objection'
            ? { objected: true }
            : { marketingOptOut: true };
      await withTenant(db, input.businessId, (tx) => tx.lead.update({ where: { id: input.subjectId }, data }));
      await complete(input.businessId, input.requestId, { applied: Object.keys(data)[0]! });
    },

    /** Correction: the sealed values are opened, applied, and the sealed copy dropped. */
    async applyCorrection(input: { requestId: string; businessId: string; subjectId: string }): Promise<void> {
      const keys = requireKeys(deps.privacyKeys);
      await withTenant(db, input.businessId, async (tx) => {
        const request = await tx.privacyRequest.findUniqueOrThrow({ where: { id: input.requestId } });
        if (!request.payloadCiphertext || !request.payloadKeyId) return;
        const fields = JSON.parse(
          keys.box
            .open(
              { keyId: request.payloadKeyId, ciphertext: request.payloadCiphertext },
              correctionContext(input.requestId),
            )
            .toString('utf8'),
        ) as { name?: string; email?: string };
        await tx.lead.update({
          where: { id: input.subjectId },
          data: { ...(fields.name ? { name: fields.name } : {}), ...(fields.email ? { email: fields.email } : {}) },
        });
        const outcome = {
          ...((request.outcome ?? {}) as OutcomeJson),
          result: { corrected: Object.keys(fields).sort() },
        };
        await tx.privacyRequest.update({
          where: { id: input.requestId },
          data: {
            payloadCiphertext: null,
            payloadKeyId: null,
            status: 'completed',
            completedAt: new Date(),
            outcome: outcome as Prisma.InputJsonValue,
          },
        });
      });
    },

    /** Access and export: the document is built from the database when it is fetched; here the request is only fulfilled. */
    async fulfilAccess(input: { requestId: string; businessId: string; subjectId: string }): Promise<void> {
      const counts = await withTenant(db, input.businessId, async (tx) => ({
        lead: 1,
        messages: await tx.message.count({ where: { leadId: input.subjectId } }),
        consent_records: await tx.consentRecord.count({ where: { leadId: input.subjectId } }),
        appointments: await tx.appointment.count({ where: { leadId: input.subjectId } }),
      }));
      await complete(input.businessId, input.requestId, { categories: counts });
    },
  };

  async function complete(businessId: string, requestId: string, result: Record<string, unknown>) {
    await saveOutcome(businessId, requestId, (o) => ({ ...o, result }), {
      status: 'completed',
      completedAt: new Date(),
    });
  }
}
