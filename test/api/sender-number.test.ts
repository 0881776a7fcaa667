import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createTwilioSmsProvider } from '../../providers/sms/twilio';
import { createKey } from '../../services/api-keys/create-api-key';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const TOKEN = 'tw-token';
const NUMBER = '+12125550177';

/** PATCH /v1/business that gives a business its first sender number lets the leads waiting for one go on at once. */
describe('setting the sender number through the API', () => {
  let twilio: TwilioFake;
  let stack: Stack;
  let ownerKey = '';

  beforeAll(async () => {
    twilio = await startTwilioFake({ authToken: TOKEN });
    stack = await startStack({
      sms: createTwilioSmsProvider({
        accountSid: 'AC00000000000000000000000000000001',
        authToken: TOKEN,
        apiBaseUrl: twilio.url,
      }),
    });
    const business = await createBusiness(stack.database.db, { smsNumber: null });
    ownerKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
    await twilio?.close();
  });

  it('sends the first reply of a lead waiting for a sender, from the new number', async () => {
    const phone = await daytimePhone(81);
    const accepted = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ name: 'Rosa Delgado', phone, consent: { text: 'I agree to receive texts.' } });
    expect(accepted.status).toBe(202);
    const leadId = accepted.body.id as string;
    const lead = () => request(stack.app).get(`/v1/leads/${leadId}`).set('Authorization', `Bearer ${ownerKey}`);
    await expect.poll(async () => (await lead()).body.workflow?.waitingFor, { timeout: 20_000 }).toBe('sender_number');
    expect(twilio.sent.filter((m) => m.to === phone)).toHaveLength(0);

    const patched = await request(stack.app)
      .patch('/v1/business')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ smsNumber: NUMBER });
    expect(patched.status).toBe(200);
    expect(patched.body.smsNumber).toBe(NUMBER);

    await expect
      .poll(() => twilio.sent.find((m) => m.to === phone), { timeout: 20_000 })
      .toMatchObject({ from: NUMBER });
    await expect.poll(async () => (await lead()).body.workflow?.waitingFor ?? null, { timeout: 20_000 }).toBeNull();
  });
});
