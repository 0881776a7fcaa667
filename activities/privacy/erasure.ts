import { Context } from '@temporalio/activity';
import type { Prisma } from '@prisma/client';
import { destroyLeadDataKeys } from '../../codec/lead-data-keys';
import { withTenant } from '../../db/tenant';
import { suppressionHmac } from '../../domain/crypto/privacy-keys';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { eraseImportedCustomers } from '../../db/customers';
import { writeDeletionReceipt } from '../../db/deletion-receipts';
import { eraseImportedSubject, importedSubjectHeld } from './imported-subject-erasure';
import { requireKeys, type OutcomeJson, type PrivacyDeps } from './privacy-deps';

const WORKFLOW_CLOSE_POLL_MS = 500;

/**
 * Complete erasure of one lead for a deletion request: the calendar event, the carrier's
 * copies of the messages, every row about the person (one transaction), the opted-out
 * number kept only as a keyed hash, the lead's data keys (its Temporal histories become
 * unreadable), and a receipt that holds counts, never the person.
 */
export function createErasureActivities(deps: PrivacyDeps) {
  const { db, sms, log } = deps;

  return {
    /** A legal hold on the lead or its business pauses the erasure (the request waits, visibly). */
    async erasureHold(input: { businessId: string; subjectId: string }): Promise<{ held: boolean }> {
      const lead = await withTenant(db, input.businessId, (tx) =>
        tx.lead.findUnique({
          where: { id: input.subjectId },
          select: { legalHoldAt: true, business: { select: { legalHoldAt: true } } },
        }),
      );
      if (lead) return { held: Boolean(lead.legalHoldAt || lead.business.legalHoldAt) };
      return { held: await importedSubjectHeld(db, input) };
    },

    /**
     * The lead workflow was told to finish (erase signal); its keys may only be destroyed
     * once it has, or its next task could not read its own history.
     */
    async awaitLeadWorkflowClosed(input: { subjectId: string }): Promise<{ closed: boolean }> {
      const handle = Context.current().client.workflow.getHandle(leadWorkflowId(input.subjectId));
      for (;;) {
        try {
          const { status } = await handle.describe();
          if (status.name !== 'RUNNING') return { closed: true };
        } catch (err) {
          if ((err as Error).name === 'WorkflowNotFoundError') return { closed: false };
          throw err;
        }
        Context.current().heartbeat();
        await Context.current().sleep(WORKFLOW_CLOSE_POLL_MS);
      }
    },

    async eraseLead(input: {
      requestId: string;
      businessId: string;
      subjectId: string;
    }): Promise<{ held: boolean; counts: Record<string, number> }> {
      const keys = requireKeys(deps.privacyKeys);
      const found = await withTenant(db, input.businessId, async (tx) => {
        const request = await tx.privacyRequest.findUniqueOrThrow({
          where: { id: input.requestId },
          select: { outcome: true },
        });
        const done = ((request.outcome ?? {}) as OutcomeJson).erased;
        if (done) return { done };
        const lead = await tx.lead.findUnique({
          where: { id: input.subjectId },
          select: { phone: true, legalHoldAt: true, business: { select: { legalHoldAt: true } } },
        });
        if (!lead) return { imported: true as const };
        if (lead.legalHoldAt || lead.business.legalHoldAt) return { held: true as const };
        const events = await tx.appointment.findMany({
          where: { leadId: input.subjectId, externalEventId: { not: null } },
          select: { id: true, externalEventId: true, externalCalendarId: true },
        });
        const carrier = await tx.message.findMany({
          where: { leadId: input.subjectId, provider: sms.name, providerId: { not: null } },
          select: { providerId: true },
        });
        return { phone: lead.phone, events, providerIds: carrier.map((m) => m.providerId!) };
      });
      if ('done' in found && found.done) return { held: false, counts: found.done };
      if ('held' in found) return { held: true, counts: {} };
      if ('imported' in found) return eraseImportedSubject(db, input);
      const { phone, events, providerIds } = found as {
        phone: string;
        events: Array<{ externalEventId: string | null; externalCalendarId: string | null }>;
        providerIds: string[];
      };

      // Outside our database first, so a crash leaves rows to retry from, never orphans
      // at the provider. Both deletions are idempotent at the provider.
      let calendarEvents = 0;
      let calendarUnreachable = 0;
      if (events.length > 0) {
        const calendar = await deps.calendarFor(input.businessId);
        for (const event of events) {
          if (!calendar) {
            calendarUnreachable += 1;
            continue;
          }
          await calendar.provider.deleteEvent({
            calendarId: event.externalCalendarId ?? calendar.calendarId,
            eventId: event.externalEventId!,
          });
          calendarEvents += 1;
        }
      }
      for (const providerId of providerIds) await sms.deleteMessage(providerId);

      const hashed = phone ? suppressionHmac(keys, input.businessId, phone) : null;
      const counts = await withTenant(db, input.businessId, async (tx) => {
        const where = { leadId: input.subjectId };
        const messages = (await tx.message.deleteMany({ where })).count;
        // Resend's copy cannot be deleted through its API (providers/email/email-provider.ts); ours goes.
        const emails = (await tx.email.deleteMany({ where })).count;
        const consent = (await tx.consentRecord.deleteMany({ where })).count;
        const appointments = (await tx.appointment.deleteMany({ where })).count;
        const eventLogs = (await tx.eventLog.deleteMany({ where })).count;
        // Transaction records stay for the legal 7 years, without the link to Stripe's page (which names the customer).
        const invoices = (await tx.jobInvoice.updateMany({ where, data: { hostedUrl: null } })).count;
        // Keyed hashes of the phone and of request keys: gone too, so the person captured
        // again is a new lead, not this erased one.
        const claims = (await tx.idempotencyClaim.deleteMany({ where })).count;
        const lead = await tx.lead.findUniqueOrThrow({ where: { id: input.subjectId }, select: { email: true } });
        const imported = await eraseImportedCustomers(tx, { phone: phone || null, email: lead.email });
        const contacts = (
          await tx.privacyRequest.updateMany({
            where: {
              leadId: input.subjectId,
              OR: [{ contactCiphertext: { not: null } }, { payloadCiphertext: { not: null } }],
            },
            data: {
              contactCiphertext: null,
              contactKeyId: null,
              payloadCiphertext: null,
              payloadKeyId: null,
              codeHash: null,
            },
          })
        ).count;
        // An opt-out outlives the person's data: the number stays refused, as a keyed hash.
        let suppressions = 0;
        if (phone && hashed) {
          const plain = await tx.suppression.findUnique({
            where: { businessId_phone: { businessId: input.businessId, phone } },
          });
          if (plain) {
            const already = await tx.suppression.findUnique({
              where: { businessId_phone: { businessId: input.businessId, phone: hashed } },
            });
            if (already) await tx.suppression.delete({ where: { id: plain.id } });
            else await tx.suppression.update({ where: { id: plain.id }, data: { phone: hashed } });
            suppressions = 1;
          }
        }
        await tx.lead.update({
          where: { id: input.subjectId },
          data: {
            name: '[erased]',
            phone: '',
            email: null,
            message: null,
            status: 'erased',
            erasedAt: new Date(),
            restricted: true,
            legalHoldReason: null,
            legalHoldBy: null,
          },
        });
        const erased = {
          lead_rows_scrubbed: 1,
          messages,
          provider_messages: sms.name === 'local' ? 0 : providerIds.length,
          emails,
          calendar_events: calendarEvents,
          ...(calendarUnreachable ? { calendar_events_unreachable: calendarUnreachable } : {}),
          consent_records: consent,
          appointments,
          event_logs: eventLogs,
          job_invoices_kept_unlinked: invoices,
          request_claims: claims,
          privacy_request_contacts: contacts,
          suppressions_pseudonymised: suppressions,
          ...imported,
        };
        const request = await tx.privacyRequest.findUniqueOrThrow({
          where: { id: input.requestId },
          select: { outcome: true },
        });
        const outcome: OutcomeJson = { ...((request.outcome ?? {}) as OutcomeJson), erased };
        await tx.privacyRequest.update({
          where: { id: input.requestId },
          data: { outcome: outcome as Prisma.InputJsonValue },
        });
        return erased;
      });
      return { held: false, counts };
    },

    /**
     * After the lead workflow has closed: the data keys go (crypto-shredding of its
     * histories), then the receipt, then the request is complete. A retry finds the
     * receipt by its cause instead of writing a second one.
     */
    async finishErasure(input: {
      requestId: string;
      businessId: string;
      subjectId: string;
      counts: Record<string, number>;
    }): Promise<{ receiptId: string }> {
      const dataKeys = await destroyLeadDataKeys(db, input.subjectId);
      const cause = `request:${input.requestId}`;
      const existing = await withTenant(db, input.businessId, (tx) =>
        tx.deletionReceipt.findFirst({ where: { cause }, select: { id: true, counts: true } }),
      );
      const receipt =
        existing ??
        (await writeDeletionReceipt(db, {
          businessId: input.businessId,
          subjectId: input.subjectId,
          cause,
          counts: { ...input.counts, data_keys: dataKeys },
        }));
      const counts = (existing?.counts as Record<string, number> | undefined) ?? {
        ...input.counts,
        data_keys: dataKeys,
      };
      await withTenant(db, input.businessId, async (tx) => {
        const request = await tx.privacyRequest.findUniqueOrThrow({
          where: { id: input.requestId },
          select: { outcome: true },
        });
        const outcome: OutcomeJson = {
          ...((request.outcome ?? {}) as OutcomeJson),
          result: { receiptId: receipt.id, counts },
        };
        await tx.privacyRequest.update({
          where: { id: input.requestId },
          data: { status: 'completed', completedAt: new Date(), outcome: outcome as Prisma.InputJsonValue },
        });
      });
      log.info({ businessId: input.businessId, requestId: input.requestId, receiptId: receipt.id }, 'lead erased');
      return { receiptId: receipt.id };
    },
  };
}
