import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handBackSignal } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const TUESDAY = 2;

/** A person takes a lead over and hands it back: the assistant is quiet in between and answers again after. */
describe('handing a lead back to the assistant', () => {
  let h: LeadHarness;
  beforeAll(async () => {
    h = await createLeadHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const kinds = async (leadId: string) => (await h.outbox(leadId)).map((m) => m.kind);

  it('answers no text while handed off, and answers the next text after the hand-back', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550171';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toEqual(['first_reply']);
    const handle = h.env.client.workflow.getHandle(workflowId);

    await handle.executeUpdate('manualMessage', {
      args: [{ leadId, text: 'Hi Dana, this is Luis from Rivera. Are mornings good for you?', requestId: 'r1' }],
    });
    await h.text({ businessId: business.id, from: phone, body: 'Mornings work, what does a drain cleaning cost?' });
    await h.sleep('2 hours');
    await h.settle();
    expect(await kinds(leadId)).toEqual(['first_reply', 'manual']);
    expect(await h.state(leadId)).toMatchObject({ status: 'handed_off', aiPaused: true });

    await handle.signal(handBackSignal);
    await expect.poll(async () => (await h.state(leadId)).aiPaused, { timeout: 20_000 }).toBe(false);
    expect((await h.state(leadId)).status).toBe('conversing');
    await expect
      .poll(async () => h.database.db.lead.findUniqueOrThrow({ where: { id: leadId } }), { timeout: 20_000 })
      .toMatchObject({ status: 'conversing', aiPaused: false });
    // Handing back answers nothing by itself: the text that came during the handoff stays with the person.
    await h.settle();
    expect(await kinds(leadId)).toEqual(['first_reply', 'manual']);

    await h.text({ businessId: business.id, from: phone, body: 'Is there a charge for coming out?' });
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toEqual(['first_reply', 'manual', 'reply']);
  });

  it('leaves a lead that was never handed off as it was', async () => {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 11 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550172' } });
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toEqual(['first_reply']);
    const before = await h.state(leadId);
    await h.env.client.workflow.getHandle(workflowId).signal(handBackSignal);
    await h.settle();
    expect(await h.state(leadId)).toMatchObject({
      status: before.status,
      aiPaused: false,
      nextAction: before.nextAction,
    });
  });
});
