import { randomUUID } from 'node:crypto';
import request from 'supertest';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const TWILIO_TOKEN = 'twilio-auth-token-for-voice-tests';
const PUBLIC = 'https://leads.example.com';
const FORWARD = '+12125550188';

const callSid = () => `CA${randomUUID().replace(/-/g, '')}`;

/** The attributes of the first `<tag …>` in a TwiML document. */
function attributes(xml: string, tag: string): Record<string, string> {
  const open = new RegExp(`<${tag}\\b([^>]*)>`).exec(xml);
  if (!open) throw new Error(`no <${tag}> in ${xml}`);
  return Object.fromEntries([...open[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** Twilio's voice webhooks on the real stack: signed with the twilio package's own helper, TwiML read back. */
describe('Twilio voice webhooks', () => {
  let stack: Stack;
  let businessId = '';
  let businessNumber = '';
  let bareBusinessNumber = '';

  beforeAll(async () => {
    stack = await startStack({
      app: { settings: { localSms: true, twilioAuthToken: TWILIO_TOKEN, publicBaseUrl: PUBLIC } },
    });
    // Night replies on: the texts in these tests go out whatever the hour the suite runs at.
    const business = await createBusiness(stack.database.db, {
      forwardingPhone: FORWARD,
      missedCallReplyAtNight: true,
    });
    businessId = business.id;
    businessNumber = business.smsNumber!;
    bareBusinessNumber = (await createBusiness(stack.database.db, { missedCallReplyAtNight: true })).smsNumber!;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const twilioPost = (path: string, params: Record<string, string>, token = TWILIO_TOKEN) =>
    request(stack.app)
      .post(path)
      .type('form')
      .set('X-Twilio-Signature', twilio.getExpectedTwilioSignature(token, `${PUBLIC}${path}`, params))
      .send(params);

  const leadsOf = (phone: string) =>
    stack.database.db.lead.findMany({ where: { phone }, select: { id: true, source: true, businessId: true } });
  const textsTo = async (phone: string) =>
    stack.database.db.message.findMany({
      where: { lead: { phone }, direction: 'outbound' },
      select: { kind: true, body: true },
    });

  it('rings the business’s own phone for 20 seconds, the business number as caller id', async () => {
    const res = await twilioPost('/v1/webhooks/twilio/voice', {
      CallSid: callSid(),
      From: '+12125550301',
      To: businessNumber,
      CallStatus: 'ringing',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/xml/);
    expect(attributes(res.text, 'Dial')).toEqual({
      timeout: '20',
      callerId: businessNumber,
      action: `${PUBLIC}/v1/webhooks/twilio/voice-status`,
      method: 'POST',
    });
    expect(res.text).toContain(`<Number>${FORWARD}</Number>`);
    // Ringing is not a missed call: nobody is texted yet.
    expect(await leadsOf('+12125550301')).toEqual([]);
  });

  it('texts a caller nobody answered once, however often Twilio retries the Dial action', async () => {
    const from = '+12125550302';
    const params = { CallSid: callSid(), From: from, To: businessNumber, DialCallStatus: 'no-answer' };
    for (let i = 0; i < 3; i += 1) {
      const res = await twilioPost('/v1/webhooks/twilio/voice-status', params);
      expect(res.status).toBe(200);
      expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }
    const leads = await leadsOf(from);
    expect(leads).toEqual([{ id: leads[0]!.id, source: 'missed_call', businessId }]);
    await expect.poll(() => textsTo(from), { timeout: 20_000 }).toHaveLength(1);
    const [text] = await textsTo(from);
    expect(text!.kind).toBe('first_reply');
    expect(text!.body).toMatch(/^Sorry we missed your call — how can we help\? This is Ava from Rivera Plumbing/);
    expect(text!.body).toContain('Reply STOP to opt out');
    const events = await stack.database.db.eventLog.findMany({ where: { leadId: leads[0]!.id, event: 'missed_call' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toEqual({ callSid: params.CallSid, reason: 'no-answer', suppressed: false });
    // Nothing more arrives later for the retries.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await textsTo(from)).toHaveLength(1);
  });

  it('treats busy and failed as missed, and an answered call as nothing', async () => {
    for (const [n, status] of [
      [3, 'busy'],
      [4, 'failed'],
    ] as const) {
      const from = `+1212555030${n}`;
      await twilioPost('/v1/webhooks/twilio/voice-status', {
        CallSid: callSid(),
        From: from,
        To: businessNumber,
        DialCallStatus: status,
      }).expect(200);
      await expect.poll(() => textsTo(from), { timeout: 20_000 }).toHaveLength(1);
    }
    const answered = '+12125550305';
    const res = await twilioPost('/v1/webhooks/twilio/voice-status', {
      CallSid: callSid(),
      From: answered,
      To: businessNumber,
      DialCallStatus: 'completed',
      DialCallDuration: '74',
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Response/>');
    expect(await leadsOf(answered)).toEqual([]);
  });

  it('without a forwarding phone: a short message, a hang-up, and the call counts as missed', async () => {
    const from = '+12125550306';
    const res = await twilioPost('/v1/webhooks/twilio/voice', {
      CallSid: callSid(),
      From: from,
      To: bareBusinessNumber,
    });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<Say>[^<]+<\/Say><Hangup\/><\/Response>$/);
    expect(res.text).not.toContain('<Dial');
    expect((await leadsOf(from)).map((l) => l.source)).toEqual(['missed_call']);
    await expect.poll(() => textsTo(from), { timeout: 20_000 }).toHaveLength(1);
  });

  it('a number that is not ours gets a polite goodbye, never a 500', async () => {
    const from = '+12125550307';
    const res = await twilioPost('/v1/webhooks/twilio/voice', { CallSid: callSid(), From: from, To: '+19995550100' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<Say>Sorry[^<]*<\/Say><Hangup\/>/);
    const status = await twilioPost('/v1/webhooks/twilio/voice-status', {
      CallSid: callSid(),
      From: from,
      To: '+19995550100',
      DialCallStatus: 'no-answer',
    });
    expect(status.status).toBe(200);
    expect(await leadsOf(from)).toEqual([]);
  });

  it('a withheld caller id is put through, and nobody is texted when the call is missed', async () => {
    const params = { CallSid: callSid(), From: 'anonymous', To: businessNumber, DialCallStatus: 'no-answer' };
    expect((await twilioPost('/v1/webhooks/twilio/voice', params)).text).toContain('<Dial');
    expect((await twilioPost('/v1/webhooks/twilio/voice-status', params)).status).toBe(200);
    expect(await leadsOf('anonymous')).toEqual([]);
  });

  it('refuses a missing, forged or tampered signature with 403', async () => {
    for (const path of ['/v1/webhooks/twilio/voice', '/v1/webhooks/twilio/voice-status']) {
      const params = { CallSid: callSid(), From: '+12125550308', To: businessNumber, DialCallStatus: 'no-answer' };
      expect((await request(stack.app).post(path).type('form').send(params)).status).toBe(403);
      expect((await twilioPost(path, params, 'wrong-token')).status).toBe(403);
      const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}${path}`, params);
      const tampered = await request(stack.app)
        .post(path)
        .type('form')
        .set('X-Twilio-Signature', signature)
        .send({ ...params, From: '+12125550309' });
      expect(tampered.status).toBe(403);
    }
    expect(await leadsOf('+12125550308')).toEqual([]);
    expect(await leadsOf('+12125550309')).toEqual([]);
  });

  it('names the field of a malformed callback with 400', async () => {
    const res = await twilioPost('/v1/webhooks/twilio/voice-status', {
      CallSid: 'not-a-sid',
      From: '+12125550310',
      To: businessNumber,
      DialCallStatus: 'no-answer',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^CallSid:/);
  });

  it('the owner sets the forwarding phone and night replies through PATCH /v1/business', async () => {
    const business = await createBusiness(stack.database.db);
    const key = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o')))
      .key;
    const patch = (body: object) =>
      request(stack.app).patch('/v1/business').set('Authorization', `Bearer ${key}`).send(body);
    const before = await request(stack.app).get('/v1/business').set('Authorization', `Bearer ${key}`);
    expect(before.body).toMatchObject({ forwardingPhone: null, missedCallReplyAtNight: false });
    const res = await patch({ forwardingPhone: '(212) 555-0199', missedCallReplyAtNight: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ forwardingPhone: '+12125550199', missedCallReplyAtNight: true });
    const bad = await patch({ forwardingPhone: 'call me' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^forwardingPhone:/);
  });

  it('lists the voice webhooks in /openapi.json with their operationIds', async () => {
    const { body } = await request(stack.app).get('/openapi.json');
    expect(body.paths['/v1/webhooks/twilio/voice'].post.operationId).toBe('postWebhooksTwilioVoice');
    expect(body.paths['/v1/webhooks/twilio/voice-status'].post.operationId).toBe('postWebhooksTwilioVoiceStatus');
  });
});
