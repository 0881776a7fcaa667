import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTwilioSmsProvider } from '../../providers/sms/twilio';
import { SmsPermanentError, type SmsProvider } from '../../providers/sms/sms-provider';
import { startTwilioFake, type TwilioFake } from '../fakes/twilio-fake';

const ACCOUNT = 'AC' + '0123456789abcdef'.repeat(2);
const TOKEN = 'test-auth-token';
const FROM = '+12125550100';
const TO = '+14155550142';

let fake: TwilioFake;
let sms: SmsProvider;

beforeAll(async () => {
  fake = await startTwilioFake({ authToken: TOKEN });
  sms = createTwilioSmsProvider({
    accountSid: ACCOUNT,
    authToken: TOKEN,
    apiBaseUrl: fake.url,
    statusCallbackBaseUrl: 'https://leadflow.example',
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

async function permanentCode(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmsPermanentError);
  return (err as SmsPermanentError).code;
}

describe('Twilio SMS provider', () => {
  it('sends through the Messages API with basic auth, form fields and a status callback carrying the ref', async () => {
    const sent = await sms.send({
      from: FROM,
      to: TO,
      body: 'Hi, this is Ava. Reply STOP to opt out.',
      clientRef: 'msg-123',
    });

    expect(sent.status).toBe('queued');
    expect(sent.providerId).toMatch(/^SM[0-9a-f]{32}$/);
    const [req] = fake.requests;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
    expect(req?.body).toEqual({
      From: FROM,
      To: TO,
      Body: 'Hi, this is Ava. Reply STOP to opt out.',
      StatusCallback: 'https://leadflow.example/v1/webhooks/twilio/status?ref=msg-123',
    });
    expect(fake.messages.get(sent.providerId)?.to).toBe(TO);
  });

  it('omits the status callback when no public URL is configured', async () => {
    const bare = createTwilioSmsProvider({ accountSid: ACCOUNT, authToken: TOKEN, apiBaseUrl: fake.url });
    await bare.send({ from: FROM, to: TO, body: 'no callback', clientRef: 'msg-124' });
    expect(fake.requests[0]?.body).not.toHaveProperty('StatusCallback');
  });

  it('refuses to send without a sender number, without calling Twilio', async () => {
    expect(await permanentCode(sms.send({ from: null, to: TO, body: 'x', clientRef: 'r' }))).toBe('rejected');
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    [21610, 'unsubscribed_recipient'],
    [21211, 'invalid_number'],
    [21614, 'invalid_number'],
    [21612, 'unroutable'],
    [21408, 'unroutable'],
    [30000, 'rejected'],
  ])('maps Twilio error %i to %s', async (code, expected) => {
    fake.failNextCreates(1, { code, status: 400 });
    expect(await permanentCode(sms.send({ from: FROM, to: TO, body: 'x', clientRef: 'r' }))).toBe(expected);
  });

  it('rethrows 500s and 429s unchanged so the caller retries', async () => {
    fake.failNextCreates(1, { code: 20500, status: 500 });
    const serverError = await sms.send({ from: FROM, to: TO, body: 'x', clientRef: 'r' }).catch((e: unknown) => e);
    expect(serverError).not.toBeInstanceOf(SmsPermanentError);
    expect((serverError as { status?: number }).status).toBe(500);

    fake.failNextCreates(1, { code: 20429, status: 429 });
    const tooMany = await sms.send({ from: FROM, to: TO, body: 'x', clientRef: 'r' }).catch((e: unknown) => e);
    expect(tooMany).not.toBeInstanceOf(SmsPermanentError);
    expect((tooMany as { status?: number }).status).toBe(429);
  });

  it('after a dropped connection, findSent finds the message the carrier accepted', async () => {
    const since = new Date();
    const body = `Dropped reply ${Date.now()}`;
    fake.dropNextCreates(1);
    const lost = await sms.send({ from: FROM, to: TO, body, clientRef: 'r-drop' }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    expect(lost).not.toBeInstanceOf(SmsPermanentError);

    const found = await sms.findSent({ from: FROM, to: TO, body, since });
    const accepted = fake.sent.find((m) => m.body === body);
    expect(found).toEqual({ providerId: accepted?.sid, status: 'queued' });
    const list = fake.requests.find((r) => r.method === 'GET');
    expect(list?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(list?.query).toEqual({ From: FROM, To: TO, PageSize: '20' });
  });

  it('findSent finds a message the carrier still holds in its queue (no date_sent yet)', async () => {
    const since = new Date();
    const { providerId } = await sms.send({
      from: FROM,
      to: TO,
      body: 'queued behind the rate limit',
      clientRef: 'r-q',
    });
    expect(fake.messages.get(providerId)?.dateSent).toBeNull();
    expect(await sms.findSent({ from: FROM, to: TO, body: 'queued behind the rate limit', since })).toEqual({
      providerId,
      status: 'queued',
    });

    fake.setStatus(providerId, 'delivered');
    expect(await sms.findSent({ from: FROM, to: TO, body: 'queued behind the rate limit', since })).toEqual({
      providerId,
      status: 'delivered',
    });
  });

  it('findSent returns null when no message matches the body, the numbers or the window', async () => {
    await sms.send({ from: FROM, to: TO, body: 'an older text', clientRef: 'r' });
    expect(
      await sms.findSent({ from: FROM, to: TO, body: 'never sent', since: new Date(Date.now() - 60_000) }),
    ).toBeNull();
    expect(
      await sms.findSent({
        from: FROM,
        to: '+14155550199',
        body: 'an older text',
        since: new Date(Date.now() - 60_000),
      }),
    ).toBeNull();
    // The same words sent before this attempt began are an earlier message, not this one.
    expect(
      await sms.findSent({ from: FROM, to: TO, body: 'an older text', since: new Date(Date.now() + 60_000) }),
    ).toBeNull();
  });

  it('deletes the carrier copy, and treats an unknown message as already gone', async () => {
    const { providerId } = await sms.send({ from: FROM, to: TO, body: 'erase me', clientRef: 'r' });
    await sms.deleteMessage(providerId);
    expect(fake.messages.has(providerId)).toBe(false);
    await expect(sms.deleteMessage(providerId)).resolves.toBeUndefined();
    const deletes = fake.requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path)).toEqual([
      `/2010-04-01/Accounts/${ACCOUNT}/Messages/${providerId}.json`,
      `/2010-04-01/Accounts/${ACCOUNT}/Messages/${providerId}.json`,
    ]);
  });

  it('a wrong auth token is a permanent rejection, not a retry loop', async () => {
    const wrong = createTwilioSmsProvider({ accountSid: ACCOUNT, authToken: 'nope', apiBaseUrl: fake.url });
    expect(await permanentCode(wrong.send({ from: FROM, to: TO, body: 'x', clientRef: 'r' }))).toBe('rejected');
  });
});
