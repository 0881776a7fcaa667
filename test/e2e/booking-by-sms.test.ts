import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

/** End to end on the real stack: a person plays the lead through the dev endpoints. */
describe('booking by SMS (real dev server, worker, Postgres, local providers)', () => {
  let stack: Stack;
  let key = '';
  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db);
    key = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'e2e'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const auth = () => ({ Authorization: `Bearer ${key}` });
  const outbox = async (leadId: string) =>
    (
      (await request(stack.app).get(`/v1/dev/outbox?leadId=${leadId}`).set(auth())).body.data as Array<{
        kind: string;
        body: string;
        status: string;
      }>
    ).reverse();

  it('capture → first reply → "I’d like to book" → three slots → pick one → booked and confirmed', async () => {
    const phone = await daytimePhone(71);
    const capture = await request(stack.app)
      .post('/v1/leads')
      .set(auth())
      .send({
        name: 'Lena Park',
        phone,
        message: 'Clogged kitchen drain',
        consent: { text: 'I agree to receive texts about my request.' },
      });
    expect(capture.status).toBe(202);
    const leadId = capture.body.id as string;
    await expect
      .poll(async () => (await outbox(leadId)).filter((m) => m.status === 'sent').length, { timeout: 30_000 })
      .toBe(1);
    expect((await outbox(leadId))[0]!.kind).toBe('first_reply');

    const inbound = await request(stack.app)
      .post('/v1/dev/inbound-sms')
      .set(auth())
      .send({ from: phone, body: "Yes please, I'd like to book an appointment" });
    expect(inbound.status).toBe(202);
    expect(inbound.body).toEqual({ leadId, createdLead: false });
    await expect
      .poll(async () => (await outbox(leadId)).filter((m) => m.status === 'sent').length, { timeout: 30_000 })
      .toBe(2);
    const offer = (await outbox(leadId))[1]!.body;
    expect(offer).toMatch(/1\) .+2\) .+3\) .+/);

    await request(stack.app)
      .post('/v1/dev/inbound-sms')
      .set(auth())
      .send({ from: phone, body: 'Option 2 please' })
      .expect(202);
    await expect
      .poll(async () => (await request(stack.app).get(`/v1/leads/${leadId}`).set(auth())).body.appointments?.length, {
        timeout: 30_000,
      })
      .toBe(1);
    const lead = (await request(stack.app).get(`/v1/leads/${leadId}`).set(auth())).body;
    expect(lead.status).toBe('booked');
    expect(lead.appointments[0].status).toBe('booked');
    expect(lead.workflow.booking.appointmentId).toBe(lead.appointments[0].id);
    await expect
      .poll(async () => (await outbox(leadId)).map((m) => m.kind), { timeout: 30_000 })
      .toEqual(['first_reply', 'reply', 'confirmation']);
    expect((await outbox(leadId))[2]!.body).toContain("You're booked");
  });
});
