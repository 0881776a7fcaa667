import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leadWorkflowId, legalHoldSignal, subscriptionSignal } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';

describe('lead workflow: inactive accounts and legal holds', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  const count = (leadId: string) => async () => (await h.outbox(leadId)).length;

  it('captures while the subscription is inactive, and sends only once it is active again', async () => {
    const business = await createBusiness(h.database.db, { subscriptionStatus: 'past_due' });
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550131' } });
    await expect.poll(() => h.database.db.lead.count({ where: { id: leadId } }), { timeout: 20_000 }).toBe(1);
    await h.sleep('2 days');
    await h.settle();
    expect(await h.outbox(leadId)).toHaveLength(0);
    expect((await h.state(leadId)).automationActive).toBe(false);

    await h.database.db.business.update({ where: { id: business.id }, data: { subscriptionStatus: 'active' } });
    await h.env.client.workflow.getHandle(workflowId).signal(subscriptionSignal, { active: true });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect((await h.outbox(leadId))[0]!.kind).toBe('first_reply');
  });

  it('keeps the messages past 24 months under a legal hold, and deletes them once it is released', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550132' } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    await h.database.db.lead.update({
      where: { id: leadId },
      data: { legalHoldAt: new Date(), legalHoldReason: 'litigation', legalHoldBy: 'test' },
    });
    await h.env.client.workflow.getHandle(workflowId).signal(legalHoldSignal, { held: true });
    await expect.poll(async () => (await h.state(leadId)).legalHold, { timeout: 20_000 }).toBe(true);

    await h.sleep('800 days');
    await h.settle();
    expect(await h.database.db.message.count({ where: { leadId } })).toBeGreaterThan(0);
    expect((await h.state(leadId)).nextAction?.kind).not.toBe('retention_delete');

    await h.database.db.lead.update({
      where: { id: leadId },
      data: { legalHoldAt: null, legalHoldReason: null, legalHoldBy: null },
    });
    await h.env.client.workflow.getHandle(leadWorkflowId(leadId)).signal(legalHoldSignal, { held: false });
    await expect.poll(() => h.database.db.message.count({ where: { leadId } }), { timeout: 20_000 }).toBe(0);
    // The receipt is written right after the deletion commits, in its own transaction.
    await expect
      .poll(() => h.database.db.deletionReceipt.count({ where: { subjectId: leadId } }), { timeout: 10_000 })
      .toBe(1);
  });
  it('keeps the messages when the hold reached the database before its signal reached the workflow', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550133' } });
    await expect.poll(count(leadId), { timeout: 20_000 }).toBe(1);
    // Only the column: the signal is lost (say the API crashed between the two).
    await h.database.db.lead.update({
      where: { id: leadId },
      data: { legalHoldAt: new Date(), legalHoldReason: 'litigation', legalHoldBy: 'test' },
    });

    await h.sleep('800 days');
    await h.settle();
    expect(await h.database.db.message.count({ where: { leadId } })).toBeGreaterThan(0);
    const state = await h.state(leadId);
    expect(state.status).not.toBe('retention_deleted');
    expect(state.legalHold).toBe(true);
    expect(state.nextAction?.kind).toBe('await_legal_hold_release');
  });
});
