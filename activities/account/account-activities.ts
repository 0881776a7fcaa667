import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { Db } from '../../db/prisma';
import { withComplianceRole, withTenant, type Tx } from '../../db/tenant';
import { accountPurgeDays, isEndedSubscription } from '../../domain/account-lifecycle';
import { retentionDays, type RetentionOverrides } from '../../domain/retention';
import { DAY_MS } from '../../domain/time';
import type { Logger } from '../../logging/logger';
import type { SmsProvider } from '../../providers/sms/sms-provider';
import { legalHoldSignal, leadWorkflowId, subscriptionSignal } from '../../workflows/lead/definitions';
import type { CalendarResolver } from '../booking/booking-activities';
import { appendDeletionReceipt } from '../../db/deletion-receipts';

/** Signals to a business's lead workflows go out this many at a time. */
const FAN_OUT = 20;
/** The purge transaction deletes a whole tenant (cascades): minutes, not Prisma's 5 s. */
const PURGE_TX_TIMEOUT_MS = 10 * 60_000;

export type PurgeResult =
  | { outcome: 'held' }
  | { outcome: 'reactivated'; subscriptionStatus: string }
  | { outcome: 'purged'; receiptId: string | null; counts: Record<string, number>; billingDeleteAt: string | null };

/**
 * The account lifecycle's I/O: what the business's row says, telling its lead workflows,
 * the tenant purge and the late deletion of its billing records. Everything here carries
 * ids, states and counts only.
 */
export function createAccountActivities({
  db,
  sms,
  calendarFor,
  log,
}: {
  db: Db;
  sms: SmsProvider;
  calendarFor: CalendarResolver;
  log: Logger;
}) {
  const leadIds = (businessId: string, where: { legalHoldAt?: null } = {}) =>
    withTenant(db, businessId, async (tx) =>
      (await tx.lead.findMany({ where, select: { id: true }, orderBy: { id: 'asc' } })).map((l) => l.id),
    );

  /** Calls `fn` for each lead's workflow; a lead whose workflow has finished is skipped. */
  async function eachLeadWorkflow(ids: string[], fn: (handle: WorkflowHandle) => Promise<unknown>): Promise<number> {
    const client = Context.current().client;
    let reached = 0;
    for (let i = 0; i < ids.length; i += FAN_OUT) {
      const batch = ids.slice(i, i + FAN_OUT);
      const done = await Promise.all(
        batch.map((id) =>
          fn(client.workflow.getHandle(leadWorkflowId(id))).then(
            () => 1,
            (err: unknown) => {
              // Finished (retention-deleted, closed) or never started: nothing to tell.
              if (err instanceof WorkflowNotFoundError) return 0;
              throw err;
            },
          ),
        ),
      );
      reached += done.reduce((a, b) => a + b, 0);
      Context.current().heartbeat({ done: i + batch.length });
    }
    return reached;
  }

  return {
    /** The account as stored: the workflow starts from it (the API writes it before signalling). */
    async loadAccount(input: {
      businessId: string;
    }): Promise<{ subscriptionStatus: string; cancelledAt: string | null; legalHold: boolean } | null> {
      const b = await withTenant(db, input.businessId, (tx) =>
        tx.business.findUnique({ where: { id: input.businessId } }),
      );
      if (!b) return null;
      return {
        subscriptionStatus: b.subscriptionStatus,
        cancelledAt: b.cancelledAt?.toISOString() ?? null,
        legalHold: b.legalHoldAt !== null,
      };
    },

    /** How long the export window of a cancelled account lasts, from the tenant's overrides. */
    async exportWindowDays(input: { businessId: string }): Promise<number> {
      const b = await withTenant(db, input.businessId, (tx) =>
        tx.business.findUnique({ where: { id: input.businessId }, select: { retentionOverrides: true } }),
      );
      return accountPurgeDays((b?.retentionOverrides ?? {}) as RetentionOverrides);
    },

    /** Every lead workflow of the business pauses (past_due, unpaid, cancelled, …) or resumes its sends. */
    async setLeadAutomation(input: { businessId: string; active: boolean }): Promise<{ signalled: number }> {
      const signalled = await eachLeadWorkflow(await leadIds(input.businessId), (h) =>
        h.signal(subscriptionSignal, { active: input.active }),
      );
      return { signalled };
    },

    /**
     * A tenant hold reaches every lead workflow. Its release reaches only the leads without
     * a hold of their own: theirs stays until it is released by itself.
     */
    async setLeadsLegalHold(input: { businessId: string; held: boolean }): Promise<{ signalled: number }> {
      const ids = await leadIds(input.businessId, input.held ? {} : { legalHoldAt: null });
      const signalled = await eachLeadWorkflow(ids, (h) => h.signal(legalHoldSignal, { held: input.held }));
      return { signalled };
    },

    /**
     * The end of a cancelled account's export window: everything of the tenant goes except
     * its billing records (kept for their legal period, no foreign key) and the deletion
     * receipts. The carrier's copies and the calendar events go first, so a crash leaves
     * rows to retry from, never orphans at a provider; the rows go in one transaction with
     * their receipt. A hold or a resubscription that reached the database before its
     * signal reached the workflow still wins.
     */
    async purgeTenant(input: { businessId: string }): Promise<PurgeResult> {
      const { businessId } = input;
      const business = await withTenant(db, businessId, (tx) => tx.business.findUnique({ where: { id: businessId } }));
      if (!business) return alreadyPurged(businessId);
      if (business.legalHoldAt) return { outcome: 'held' };
      if (!isEndedSubscription(business.subscriptionStatus))
        return { outcome: 'reactivated', subscriptionStatus: business.subscriptionStatus };

      let providerMessages = 0;
      if (sms.name !== 'local') {
        const rows = await withTenant(db, businessId, (tx) =>
          tx.message.findMany({
            where: { provider: sms.name, providerId: { not: null } },
            select: { providerId: true },
          }),
        );
        for (const [i, row] of rows.entries()) {
          await sms.deleteMessage(row.providerId!);
          if (i % 50 === 0) Context.current().heartbeat({ providerMessages: i });
        }
        providerMessages = rows.length;
      }

      let calendarEvents = 0;
      const events = await withTenant(db, businessId, (tx) =>
        tx.appointment.findMany({
          where: { externalEventId: { not: null } },
          select: { externalEventId: true, externalCalendarId: true },
        }),
      );
      const calendar = events.length > 0 ? await calendarFor(businessId) : null;
      if (calendar) {
        for (const e of events) {
          // A technician's appointment is in their own calendar.
          await calendar.provider.deleteEvent({
            calendarId: e.externalCalendarId ?? calendar.calendarId,
            eventId: e.externalEventId!,
          });
          calendarEvents += 1;
          Context.current().heartbeat({ calendarEvents });
        }
      }

      // No lead workflow may outlive its rows (its next activity would fail forever).
      const leadWorkflows = await eachLeadWorkflow(await leadIds(businessId), (h) =>
        h.terminate('account purged after cancellation'),
      );

      const result = await withComplianceRole(
        db,
        async (tx) => {
          const [row] = await tx.$queryRaw<Array<{ legal_hold_at: Date | null; subscription_status: string }>>`
            SELECT legal_hold_at, subscription_status FROM businesses WHERE id = ${businessId}::uuid FOR UPDATE`;
          if (!row) return null;
          if (row.legal_hold_at) return { outcome: 'held' as const };
          if (!isEndedSubscription(row.subscription_status))
            return { outcome: 'reactivated' as const, subscriptionStatus: row.subscription_status };
          const counts = {
            ...(await tenantCounts(tx, businessId)),
            provider_messages: providerMessages,
            calendar_events: calendarEvents,
            lead_workflows: leadWorkflows,
          };
          // The audit trail (ids only) and the tenant's run reports have no foreign key to the business.
          await tx.auditLog.deleteMany({ where: { businessId } });
          await tx.retentionRun.deleteMany({ where: { businessId } });
          await tx.business.delete({ where: { id: businessId } });
          const receipt = await appendDeletionReceipt(tx, {
            businessId,
            subjectId: null,
            cause: 'account:cancelled',
            counts,
          });
          return {
            outcome: 'purged' as const,
            receiptId: receipt.id,
            counts,
            billingDeleteAt: await billingDeleteAt(tx, businessId),
          };
        },
        { timeoutMs: PURGE_TX_TIMEOUT_MS },
      );
      if (!result) return alreadyPurged(businessId);
      if (result.outcome === 'purged')
        log.info({ businessId, receiptId: result.receiptId, event: 'tenant_purged' }, 'cancelled account purged');
      return result;
    },

    /**
     * Billing records are kept 7 years after the newest one (a legal duty that outlives
     * the tenant). `at` is the workflow's time. A record that arrived late moves the date.
     */
    async deleteBillingRecords(input: {
      businessId: string;
      at: string;
    }): Promise<{ notBefore: string | null; deleted: number; receiptId: string | null }> {
      return withComplianceRole(db, async (tx) => {
        const due = await billingDeleteAt(tx, input.businessId);
        if (!due) return { notBefore: null, deleted: 0, receiptId: null };
        if (Date.parse(due) > Date.parse(input.at)) return { notBefore: due, deleted: 0, receiptId: null };
        const { count } = await tx.billingRecord.deleteMany({ where: { businessId: input.businessId } });
        const receipt = await appendDeletionReceipt(tx, {
          businessId: input.businessId,
          subjectId: null,
          cause: 'policy:billing_records',
          counts: { billing_records: count },
        });
        return { notBefore: null, deleted: count, receiptId: receipt.id };
      });
    },
  };

  /** A retry after the purge committed (its reply was lost): the receipt tells what went. */
  async function alreadyPurged(businessId: string): Promise<PurgeResult> {
    return withComplianceRole(db, async (tx) => {
      const receipt = await tx.deletionReceipt.findFirst({
        where: { businessId, cause: 'account:cancelled' },
        orderBy: { seq: 'desc' },
      });
      return {
        outcome: 'purged',
        receiptId: receipt?.id ?? null,
        counts: (receipt?.counts ?? {}) as Record<string, number>,
        billingDeleteAt: await billingDeleteAt(tx, businessId),
      };
    });
  }
}

async function billingDeleteAt(tx: Tx, businessId: string): Promise<string | null> {
  const newest = await tx.billingRecord.findFirst({
    where: { businessId },
    orderBy: { occurredAt: 'desc' },
    select: { occurredAt: true },
  });
  return newest
    ? new Date(newest.occurredAt.getTime() + retentionDays('billing_records') * DAY_MS).toISOString()
    : null;
}

/** Rows per customer-data table of one business, for its deletion receipt. */
async function tenantCounts(tx: Tx, businessId: string): Promise<Record<string, number>> {
  const where = { businessId };
  // One after another: the queries share the transaction's one connection anyway.
  const services = await tx.service.count({ where });
  const apiKeys = await tx.apiKey.count({ where });
  const secrets = await tx.businessSecret.count({ where });
  const leads = await tx.lead.count({ where });
  const consent = await tx.consentRecord.count({ where });
  const suppressions = await tx.suppression.count({ where });
  const messages = await tx.message.count({ where });
  const emails = await tx.email.count({ where });
  const appointments = await tx.appointment.count({ where });
  const requests = await tx.privacyRequest.count({ where });
  const dataKeys = await tx.leadDataKey.count({ where });
  const eventLogs = await tx.eventLog.count({ where });
  const audit = await tx.auditLog.count({ where });
  const runs = await tx.retentionRun.count({ where });
  const customers = await tx.customer.count({ where });
  const customerAppointments = await tx.customerAppointment.count({ where });
  // People's accounts go with the tenant (their sessions, invitations and reset links too).
  const users = await tx.user.count({ where });
  const sessions = await tx.userSession.count({ where });
  const invitations = await tx.invitation.count({ where });
  // Technicians (staff names) go with the tenant, their time off and services too.
  const technicians = await tx.technician.count({ where });
  // Job invoices go too: the business keeps its transaction records in its own Stripe account.
  const jobInvoices = await tx.jobInvoice.count({ where });
  return {
    businesses: 1,
    services,
    api_keys: apiKeys,
    business_secrets: secrets,
    leads,
    consent_records: consent,
    suppressions,
    messages,
    emails,
    appointments,
    privacy_requests: requests,
    lead_data_keys: dataKeys,
    event_logs: eventLogs,
    audit_log: audit,
    retention_runs: runs,
    imported_customers: customers,
    customer_appointments: customerAppointments,
    technicians,
    job_invoices: jobInvoices,
    users,
    user_sessions: sessions,
    invitations,
  };
}
