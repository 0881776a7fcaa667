import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountStateQuery,
  accountSubscriptionSignal,
  accountWorkflowId,
  type AccountView,
} from '../../workflows/account/definitions';
import { leadWorkflowId, legalHoldSignal } from '../../workflows/lead/definitions';
import { ACCOUNT_STATUS } from '../../workflows/search-attributes';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const DAY = 86_400_000;

describe('account workflow: pause, export window, purge, legal hold, billing records', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const handle = (businessId: string) => h.env.client.workflow.getHandle(accountWorkflowId(businessId));
  const account = (businessId: string): Promise<AccountView> => handle(businessId).query(accountStateQuery);
  const exists = (businessId: string) => h.database.db.business.count({ where: { id: businessId } });
  const now = async () => new Date(await h.env.currentTimeMs());

  async function startAccount(businessId: string) {
    await h.env.client.workflow.start('accountWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: accountWorkflowId(businessId),
      args: [{ businessId }],
    });
    await expect.poll(async () => (await account(businessId)).status, { timeout: 20_000 }).not.toBeUndefined();
  }

  /** Skips time only once the account workflow has no activity in flight (none may time out in skipped time). */
  async function sleep(businessId: string, duration: string | number) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { raw } = await handle(businessId).describe();
      if ((raw.pendingActivities?.length ?? 0) === 0) break;
      if (Date.now() > deadline) throw new Error('account activities still running after 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await h.sleep(duration);
  }

  /** What the Stripe webhook does: store the state, then signal. */
  async function subscription(businessId: string, status: string) {
    const at = await now();
    await h.database.db.business.update({
      where: { id: businessId },
      data: { subscriptionStatus: status, cancelledAt: status === 'canceled' ? at : null },
    });
    await handle(businessId).signal(accountSubscriptionSignal, { status, at: at.toISOString() });
    return at;
  }

  /** What the hold routes do: the columns, then the signal. */
  async function tenantHold(businessId: string, held: boolean) {
    await h.database.db.business.update({
      where: { id: businessId },
      data: held
        ? { legalHoldAt: await now(), legalHoldReason: 'litigation', legalHoldBy: 'key:test' }
        : { legalHoldAt: null, legalHoldReason: null, legalHoldBy: null },
    });
    await handle(businessId).signal(legalHoldSignal, { held });
  }

  async function leadWithMessages(businessId: string, phone: string) {
    const { leadId } = await h.startLead({ businessId, lead: { phone } });
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    return leadId;
  }

  const billingRecord = async (businessId: string, occurredAt: Date) =>
    h.database.db.billingRecord.create({
      data: {
        businessId,
        stripeEventId: `evt_${randomUUID()}`,
        type: 'invoice.paid',
        amountCents: 4900,
        currency: 'usd',
        occurredAt,
      },
    });

  it('pauses the business’s lead workflows while past_due and resumes them when active', async () => {
    const business = await createBusiness(h.database.db);
    await startAccount(business.id);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const leadId = await leadWithMessages(business.id, '+12125550161');

    await subscription(business.id, 'past_due');
    await expect.poll(async () => (await h.state(leadId)).automationActive, { timeout: 20_000 }).toBe(false);
    expect((await account(business.id)).status).toBe('paused');
    // Follow-ups were due at +1 h and +1 d: none goes out while the account is past due.
    await sleep(business.id, '2 days');
    await h.settle();
    expect(await h.outbox(leadId)).toHaveLength(1);

    await subscription(business.id, 'active');
    await expect.poll(async () => (await h.state(leadId)).automationActive, { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBeGreaterThan(1);
    expect((await h.outbox(leadId))[1]!.kind).toBe('follow_up');
    expect((await account(business.id)).status).toBe('active');
  });

  let purged: { businessId: string; billingAt: Date } | null = null;

  it('purges the tenant exactly 30 days after cancellation, keeping its billing records, with a receipt', async () => {
    const business = await createBusiness(h.database.db, { stripeCustomerId: `cus_${randomUUID().slice(0, 8)}` });
    await startAccount(business.id);
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    const leadId = await leadWithMessages(business.id, '+12125550162');
    const billingAt = await now();
    await billingRecord(business.id, billingAt);
    await h.database.db.auditLog.create({
      data: { businessId: business.id, actorRole: 'owner', action: 'read', entity: 'lead', entityId: leadId },
    });

    const cancelledAt = await subscription(business.id, 'canceled');
    await expect
      .poll(async () => (await account(business.id)).purgeAt, { timeout: 20_000 })
      .toBe(new Date(cancelledAt.getTime() + 30 * DAY).toISOString());
    expect((await account(business.id)).status).toBe('export_window');
    // Cancelled means inactive: the leads hold their sends during the window.
    await expect.poll(async () => (await h.state(leadId)).automationActive, { timeout: 20_000 }).toBe(false);

    await sleep(business.id, 29 * DAY);
    await h.settle();
    expect(await exists(business.id)).toBe(1);
    expect(await h.database.db.lead.count({ where: { businessId: business.id } })).toBe(1);

    await sleep(business.id, DAY + 60_000);
    await expect.poll(() => exists(business.id), { timeout: 30_000 }).toBe(0);
    for (const table of ['lead', 'message', 'consentRecord', 'service', 'apiKey', 'auditLog'] as const) {
      expect(
        await (h.database.db[table] as { count(a: object): Promise<number> }).count({
          where: { businessId: business.id },
        }),
        table,
      ).toBe(0);
    }
    expect(await h.database.db.billingRecord.count({ where: { businessId: business.id } })).toBe(1);

    const receipt = await h.database.db.deletionReceipt.findFirstOrThrow({
      where: { businessId: business.id, cause: 'account:cancelled' },
    });
    expect(receipt.counts).toMatchObject({ businesses: 1, leads: 1, services: 2, audit_log: 1, lead_workflows: 1 });
    expect((receipt.counts as Record<string, number>).messages).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify({ ...receipt, seq: String(receipt.seq) })).not.toContain('+1212555');

    const state = await account(business.id);
    expect(state.status).toBe('purged');
    expect(state.billingDeleteAt).toBe(new Date(billingAt.getTime() + 2557 * DAY).toISOString());
    // No lead workflow outlives its rows.
    expect((await h.env.client.workflow.getHandle(leadWorkflowId(leadId)).describe()).status.name).toBe('TERMINATED');
    purged = { businessId: business.id, billingAt };
  });

  it('deletes the billing records 7 years after the newest one, not before, and completes', async () => {
    const { businessId, billingAt } = purged!;
    const due = billingAt.getTime() + 2557 * DAY;
    await sleep(businessId, due - (await h.env.currentTimeMs()) - DAY);
    await h.settle();
    expect(await h.database.db.billingRecord.count({ where: { businessId } })).toBe(1);
    expect((await account(businessId)).status).toBe('purged');

    await sleep(businessId, 2 * DAY);
    await expect.poll(() => h.database.db.billingRecord.count({ where: { businessId } }), { timeout: 30_000 }).toBe(0);
    const receipt = await h.database.db.deletionReceipt.findFirstOrThrow({
      where: { businessId, cause: 'policy:billing_records' },
    });
    expect(receipt.counts).toEqual({ billing_records: 1 });
    await expect
      .poll(async () => (await handle(businessId).describe()).status.name, { timeout: 20_000 })
      .toBe('COMPLETED');
  });

  it('follows a tenant’s shortened period: 10 days of export window instead of 30', async () => {
    const business = await createBusiness(h.database.db, { retentionOverrides: { cancelled_account: 10 } });
    await startAccount(business.id);
    const cancelledAt = await subscription(business.id, 'canceled');
    await expect
      .poll(async () => (await account(business.id)).purgeAt, { timeout: 20_000 })
      .toBe(new Date(cancelledAt.getTime() + 10 * DAY).toISOString());
    await sleep(business.id, 9 * DAY);
    await h.settle();
    expect(await exists(business.id)).toBe(1);
    await sleep(business.id, DAY + 60_000);
    await expect.poll(() => exists(business.id), { timeout: 30_000 }).toBe(0);
  });

  it('lets a shorter "subscription + 12 months" period, when the tenant configured it, govern the purge', async () => {
    const business = await createBusiness(h.database.db, { retentionOverrides: { account_after_subscription: 7 } });
    await startAccount(business.id);
    const cancelledAt = await subscription(business.id, 'canceled');
    await expect
      .poll(async () => (await account(business.id)).purgeAt, { timeout: 20_000 })
      .toBe(new Date(cancelledAt.getTime() + 7 * DAY).toISOString());
  });

  it('keeps everything when the owner resubscribes within the window', async () => {
    const business = await createBusiness(h.database.db);
    await startAccount(business.id);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 11 });
    const leadId = await leadWithMessages(business.id, '+12125550163');
    await subscription(business.id, 'canceled');
    await expect.poll(async () => (await account(business.id)).status, { timeout: 20_000 }).toBe('export_window');
    await sleep(business.id, 20 * DAY);

    await subscription(business.id, 'active');
    await expect.poll(async () => (await account(business.id)).status, { timeout: 20_000 }).toBe('active');
    expect((await account(business.id)).purgeAt).toBeNull();
    await sleep(business.id, 15 * DAY);
    await h.settle();
    expect(await exists(business.id)).toBe(1);
    expect(await h.database.db.message.count({ where: { leadId } })).toBeGreaterThanOrEqual(1);
    expect(await h.database.db.deletionReceipt.count({ where: { businessId: business.id } })).toBe(0);
    expect((await h.state(leadId)).automationActive).toBe(true);
  });

  it('waits under a tenant legal hold past the window, and purges once the hold is released', async () => {
    const business = await createBusiness(h.database.db);
    await startAccount(business.id);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 12 });
    const leadId = await leadWithMessages(business.id, '+12125550164');
    await subscription(business.id, 'canceled');
    await tenantHold(business.id, true);
    // The account workflow passes the hold on to every lead of the business.
    await expect.poll(async () => (await h.state(leadId)).legalHold, { timeout: 20_000 }).toBe(true);

    await sleep(business.id, 45 * DAY);
    await h.settle();
    expect(await exists(business.id)).toBe(1);
    const held = await account(business.id);
    expect(held.status).toBe('waiting_legal_hold');
    expect(held.legalHold).toBe(true);
    const { typedSearchAttributes } = await handle(business.id).describe();
    expect(typedSearchAttributes.get(ACCOUNT_STATUS)).toBe('waiting_legal_hold');

    await tenantHold(business.id, false);
    await expect.poll(() => exists(business.id), { timeout: 30_000 }).toBe(0);
    expect(
      await h.database.db.deletionReceipt.count({ where: { businessId: business.id, cause: 'account:cancelled' } }),
    ).toBe(1);
  });

  it('keeps the tenant when the hold reached the database but its signal never reached the workflow', async () => {
    const business = await createBusiness(h.database.db);
    await startAccount(business.id);
    await subscription(business.id, 'canceled');
    await expect.poll(async () => (await account(business.id)).status, { timeout: 20_000 }).toBe('export_window');
    await h.database.db.business.update({
      where: { id: business.id },
      data: { legalHoldAt: await now(), legalHoldReason: 'litigation', legalHoldBy: 'key:test' },
    });

    await sleep(business.id, 31 * DAY);
    await expect.poll(async () => (await account(business.id)).status, { timeout: 30_000 }).toBe('waiting_legal_hold');
    expect(await exists(business.id)).toBe(1);
  });

  it('continues as new after many Stripe events, keeping its state', async () => {
    const business = await createBusiness(h.database.db);
    await startAccount(business.id);
    const first = (await handle(business.id).describe()).runId;
    const at = (await now()).toISOString();
    for (let i = 0; i < 1100; i += 1)
      await handle(business.id).signal(accountSubscriptionSignal, { status: i % 2 === 0 ? 'active' : 'past_due', at });
    await h.database.db.business.update({ where: { id: business.id }, data: { subscriptionStatus: 'past_due' } });
    await expect.poll(async () => (await handle(business.id).describe()).runId, { timeout: 60_000 }).not.toBe(first);
    await expect.poll(async () => (await account(business.id)).status, { timeout: 20_000 }).toBe('paused');
    expect((await account(business.id)).subscriptionStatus).toBe('past_due');
  });
});
