import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const CONSENT = 'I agree to receive texts.';

/** POST /v1/leads/:id/hand-back: the AI answers again after a person's handoff. */
describe('POST /v1/leads/:id/hand-back', () => {
  let stack: Stack;
  let operatorKey = '';
  let complianceKey = '';
  let strangerKey = '';

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const business = await createBusiness(db);
    operatorKey = (await withTenant(db, business.id, (tx) => createKey(tx, business.id, 'operator', 'op'))).key;
    complianceKey = (await withTenant(db, business.id, (tx) => createKey(tx, business.id, 'compliance', 'c'))).key;
    const stranger = await createBusiness(db);
    strangerKey = (await withTenant(db, stranger.id, (tx) => createKey(tx, stranger.id, 'owner', 's'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  const kinds = async (leadId: string) =>
    (
      await stack.database.db.message.findMany({
        where: { leadId, direction: 'outbound' },
        orderBy: { createdAt: 'asc' },
        select: { kind: true },
      })
    ).map((m) => m.kind);

  it('hands a lead back after a person’s text: the next inbound text gets the assistant’s reply', async () => {
    const phone = await daytimePhone(41);
    const captured = await request(stack.app)
      .post('/v1/leads')
      .set(as(operatorKey))
      .send({ name: 'Odile Fairbanks', phone, consent: { text: CONSENT } });
    expect(captured.status).toBe(202);
    const leadId = captured.body.id as string;
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toEqual(['first_reply']);

    const sent = await request(stack.app)
      .post(`/v1/leads/${leadId}/messages`)
      .set(as(operatorKey))
      .send({ text: 'Hi, this is Luis. I can come by Thursday.' });
    expect(sent.status).toBe(201);
    const lead = () => request(stack.app).get(`/v1/leads/${leadId}`).set(as(operatorKey));
    expect((await lead()).body.status).toBe('handed_off');
    const inbound = (body: string) =>
      request(stack.app).post('/v1/dev/inbound-sms').set(as(operatorKey)).send({ from: phone, body });
    expect((await inbound('Thursday is fine. How long does it take?')).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await kinds(leadId)).toEqual(['first_reply', 'manual']);

    const handedBack = await request(stack.app).post(`/v1/leads/${leadId}/hand-back`).set(as(operatorKey));
    expect(handedBack.status).toBe(202);
    expect(handedBack.body).toEqual({ id: leadId, status: 'accepted' });
    expect(handedBack.headers.location).toBe(`/v1/leads/${leadId}`);
    await expect.poll(async () => (await lead()).body.status, { timeout: 20_000 }).toBe('conversing');

    expect((await inbound('Also, do you fix garbage disposals?')).status).toBe(202);
    await expect.poll(() => kinds(leadId), { timeout: 20_000 }).toEqual(['first_reply', 'manual', 'reply']);
    // Recorded like every change a key makes to a lead.
    const audited = await stack.database.db.auditLog.findMany({ where: { entityId: leadId, action: 'update' } });
    expect(audited).toHaveLength(1);
  });

  it('answers 404 for another tenant’s lead and for no lead, 403 for a compliance key', async () => {
    const captured = await request(stack.app)
      .post('/v1/leads')
      .set(as(operatorKey))
      .send({ name: 'Piet Moreau', phone: await daytimePhone(42), consent: { text: CONSENT } });
    const leadId = captured.body.id as string;
    const stranger = await request(stack.app).post(`/v1/leads/${leadId}/hand-back`).set(as(strangerKey));
    expect(stranger.status).toBe(404);
    const none = await request(stack.app)
      .post('/v1/leads/00000000-0000-4000-8000-000000000000/hand-back')
      .set(as(operatorKey));
    expect(none.status).toBe(404);
    expect(stranger.body.error.code).toBe(none.body.error.code);
    const compliance = await request(stack.app).post(`/v1/leads/${leadId}/hand-back`).set(as(complianceKey));
    expect(compliance.status).toBe(403);
  });
});
