import request from 'supertest';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const TWILIO_TOKEN = 'twilio-auth-token-for-alert-tests';
const PUBLIC = 'https://leads.example.com';

/** A 10DLC refusal reported after the carrier took the text: Twilio's status callback → the lead's workflow → the alert. */
describe('carrier refusal from a status callback', () => {
  let stack: Stack;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    stack = await startStack();
    app = createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: stack.taskQueue,
      settings: { twilioAuthToken: TWILIO_TOKEN, publicBaseUrl: PUBLIC },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const status = (params: Record<string, string>) => {
    const path = '/v1/webhooks/twilio/status';
    const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}${path}`, params);
    return request(app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
  };

  it('raises carrier_refused once for 30034, however often Twilio repeats the callback, and nothing for a delivery', async () => {
    const db = stack.database.db;
    const business = await createBusiness(db);
    const owner = (await withTenant(db, business.id, (tx) => createKey(tx, business.id, 'owner', 'owner'))).key;
    const inbound = await request(stack.app)
      .post('/v1/dev/inbound-sms')
      .set('Authorization', `Bearer ${owner}`)
      .send({ from: await daytimePhone(81), body: 'Hi, do you repair water heaters?' });
    expect(inbound.status).toBe(202);
    const leadId = inbound.body.leadId as string;
    await expect
      .poll(() => db.message.findFirst({ where: { leadId, direction: 'outbound', providerId: { not: null } } }), {
        timeout: 30_000,
      })
      .toBeTruthy();
    const reply = (await db.message.findFirst({
      where: { leadId, direction: 'outbound', providerId: { not: null } },
    }))!;

    const from = business.smsNumber!;
    await status({ MessageSid: reply.providerId!, MessageStatus: 'delivered', From: from }).expect(200);
    const refused = { MessageSid: reply.providerId!, MessageStatus: 'undelivered', ErrorCode: '30034', From: from };
    await status(refused).expect(200);
    await status(refused).expect(200);

    await expect
      .poll(() => db.alert.findMany({ where: { businessId: business.id } }), { timeout: 30_000 })
      .toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    const alerts = await db.alert.findMany({ where: { businessId: business.id } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'carrier_refused',
      leadId,
      detail: { messageId: reply.providerId, code: '30034' },
    });
  });
});
