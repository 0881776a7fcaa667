import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createLogger } from '../../logging/logger';
import { freePort } from '../../scripts/toolchain/free-port';
import { leadStateQuery, leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const TWILIO_TOKEN = 'twilio-token-inbound-outage';
const PUBLIC = 'https://leads.example.com';

/**
 * Found by `npm run test:faults`: an inbound text whose row was stored but whose signal
 * failed (Temporal unreachable) was answered 503; Twilio's retry then found the row, took
 * it for a duplicate and never signalled, so the text was lost. A retry now signals again,
 * and the workflow takes each message id once, so a retry that was not needed changes nothing.
 */
describe('an inbound text while Temporal is unreachable', () => {
  let stack: Stack;
  let live: ReturnType<typeof createApp>;
  let cut: ReturnType<typeof createApp>;
  let deadConnection: Connection;
  let key = '';
  let businessNumber = '';

  beforeAll(async () => {
    stack = await startStack();
    const log = createLogger({ name: 'test', level: 'silent' });
    const settings = { twilioAuthToken: TWILIO_TOKEN, publicBaseUrl: PUBLIC };
    live = createApp({ db: stack.database.appDb, temporal: stack.client, log, taskQueue: stack.taskQueue, settings });
    // Nothing listens there: every Temporal call fails as during a server restart.
    deadConnection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    cut = createApp({
      db: stack.database.appDb,
      temporal: new Client({ connection: deadConnection }),
      log,
      taskQueue: stack.taskQueue,
      settings,
      temporalTimeoutMs: 1000,
    });
    const business = await createBusiness(stack.database.db);
    businessNumber = business.smsNumber!;
    key = (
      await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'inbound-outage'))
    ).key;
  });
  afterAll(async () => {
    await deadConnection?.close().catch(() => {});
    await stack?.close();
  });

  const inbound = (app: ReturnType<typeof createApp>, params: Record<string, string>) =>
    request(app)
      .post('/v1/webhooks/twilio/sms')
      .type('form')
      .set(
        'X-Twilio-Signature',
        twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}/v1/webhooks/twilio/sms`, params),
      )
      .send(params);
  const outbound = (leadId: string) =>
    stack.database.db.message.findMany({
      where: { leadId, direction: 'outbound' },
      orderBy: { createdAt: 'asc' },
      select: { kind: true, idempotencyKey: true },
    });

  it('is answered once Twilio retries it, and later retries change nothing', async () => {
    const phone = await daytimePhone(71);
    const capture = await request(live)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'Ana Ruiz', phone, consent: { text: 'I agree to receive texts about my request.' } });
    expect(capture.status).toBe(202);
    const leadId = capture.body.id as string;
    await expect.poll(async () => (await outbound(leadId)).length, { timeout: 30_000 }).toBe(1);
    const sms = (body: string) => ({
      MessageSid: `SM${randomUUID().replace(/-/g, '')}`,
      From: phone,
      To: businessNumber,
      Body: body,
      AccountSid: 'AC123',
    });

    await inbound(live, sms("I'd like to book an appointment")).expect(200);
    await expect.poll(async () => (await outbound(leadId)).length, { timeout: 30_000 }).toBe(2);

    const pick = sms('Option 1 please');
    const failed = await inbound(cut, pick);
    expect(failed.status).toBe(503);
    // Twilio retries: the stored text now reaches the workflow, which books the slot.
    await inbound(live, pick).expect(200);
    await expect
      .poll(async () => (await outbound(leadId)).map((m) => m.kind), { timeout: 30_000 })
      .toEqual(['first_reply', 'reply', 'confirmation']);

    // Retries nobody needed: the booked lead is not offered slots again.
    for (let i = 0; i < 2; i += 1) await inbound(live, pick).expect(200);
    const handle = stack.client.workflow.getHandle(leadWorkflowId(leadId));
    await new Promise((r) => setTimeout(r, 2000));
    expect((await handle.query(leadStateQuery)).status).toBe('booked');
    expect((await outbound(leadId)).map((m) => m.kind)).toEqual(['first_reply', 'reply', 'confirmation']);
    expect(await stack.database.db.message.count({ where: { leadId, direction: 'inbound' } })).toBe(2);
  }, 120_000);
});
