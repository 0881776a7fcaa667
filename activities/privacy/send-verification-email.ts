import { randomInt } from 'node:crypto';
import { markEmailFailed, markEmailSent, openEmail } from '../../db/emails';
import { withTenant } from '../../db/tenant';
import { contactContext, verificationCodeHash } from '../../domain/crypto/privacy-keys';
import { EmailPermanentError, type EmailProvider } from '../../providers/email/email-provider';
import { createLocalEmailOutbox } from '../../providers/email/local-outbox';
import { requireKeys, type PrivacyDeps } from './privacy-deps';

/** How long a code is good for (as for codes by SMS). */
const CODE_TTL_MS = 30 * 60_000;

export interface VerificationEmailDeps extends PrivacyDeps {
  /** Unset: the local outbox (GET /v1/dev/emails). */
  email?: EmailProvider;
  emailFrom?: string;
}

/**
 * code_to_email: the person's code goes to the lead's email address on file, through the
 * email log, so a retried attempt finds its row (and its code) instead of sending a second.
 */
export function createVerificationEmailActivities(deps: VerificationEmailDeps) {
  const { db, log } = deps;
  const email = deps.email ?? createLocalEmailOutbox();

  return {
    async sendVerificationEmail(input: {
      requestId: string;
      businessId: string;
      subjectId: string;
      attempt: number;
    }): Promise<{ sent: boolean; reason?: string }> {
      const keys = requireKeys(deps.privacyKeys);
      const idempotencyKey = `privacy-request-${input.requestId}:email-code-${input.attempt}`;
      const row = await withTenant(db, input.businessId, async (tx) => {
        const existing = await tx.email.findUnique({ where: { idempotencyKey } });
        if (existing) return existing;
        const lead = await tx.lead.findUniqueOrThrow({
          where: { id: input.subjectId },
          select: { email: true, erasedAt: true },
        });
        if (lead.erasedAt || !lead.email) return null;
        const business = await tx.business.findUniqueOrThrow({
          where: { id: input.businessId },
          select: { name: true },
        });
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        const sealed = keys.box.seal(lead.email, contactContext(input.requestId));
        await tx.privacyRequest.update({
          where: { id: input.requestId },
          data: {
            codeHash: verificationCodeHash(keys, input.requestId, code),
            codeExpiresAt: new Date(Date.now() + CODE_TTL_MS),
            contactKeyId: sealed.keyId,
            contactCiphertext: sealed.ciphertext,
          },
        });
        return openEmail(tx, {
          businessId: input.businessId,
          leadId: input.subjectId,
          from: deps.emailFrom ?? 'leadflow <privacy@localhost>',
          to: lead.email,
          subject: `${business.name}: your privacy request code`,
          body: `Your code for your privacy request to ${business.name} is ${code}. It expires in 30 minutes. If you did not ask for it, ignore this email.`,
          kind: 'verification_code',
          provider: email.name,
          idempotencyKey,
        });
      });
      if (!row) return { sent: false, reason: 'no_email_on_file' };
      if (row.providerId) return { sent: true };
      if (row.status === 'failed') return { sent: false, reason: row.errorCode ?? 'failed' };
      try {
        // The provider's Idempotency-Key makes a resend after a lost answer the same email.
        const sent = await email.send({
          from: row.fromAddress,
          to: row.toAddress,
          subject: row.subject,
          text: row.body,
          idempotencyKey,
        });
        await withTenant(db, input.businessId, (tx) => markEmailSent(tx, row.id, sent.providerId));
        log.info(
          { businessId: input.businessId, requestId: input.requestId, attempt: input.attempt },
          'privacy verification code emailed',
        );
        return { sent: true };
      } catch (err) {
        if (!(err instanceof EmailPermanentError)) throw err;
        await withTenant(db, input.businessId, (tx) => markEmailFailed(tx, row.id, err.code));
        log.warn(
          { businessId: input.businessId, requestId: input.requestId, code: err.code },
          'privacy verification email refused',
        );
        return { sent: false, reason: err.code };
      }
    },
  };
}
