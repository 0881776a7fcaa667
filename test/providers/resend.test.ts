import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listDevEmails, markEmailSent, openEmail } from '../../db/emails';
import { withTenant } from '../../db/tenant';
import { EmailPermanentError, EmailTransientError, type EmailProvider } from '../../providers/email/email-provider';
import { createLocalEmailOutbox } from '../../providers/email/local-outbox';
import { createResendEmailProvider } from '../../providers/email/resend';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';
import { startResendFake, type ResendFake } from '../fakes/resend-fake';

const API_KEY = 're_test_0123456789';
const FROM = 'Rivera Plumbing <hello@mail.riveraplumbing.example>';
const TO = 'dana.whitfield@example.net';
const UNSUBSCRIBE = {
  'List-Unsubscribe': '<https://leads.example.com/v1/email/unsubscribe?t=opaque-token>',
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
};

let fake: ResendFake;
let email: EmailProvider;

beforeAll(async () => {
  fake = await startResendFake({ apiKey: API_KEY });
  email = createResendEmailProvider({ apiKey: API_KEY, defaultFrom: FROM, baseUrl: fake.url, timeoutMs: 2_000 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('the send was expected to fail');
    },
    (e: unknown) => e,
  );
}

describe('Resend email provider (the official SDK against a Resend-speaking server)', () => {
  it('posts the email with the key, the sender, the one-click unsubscribe headers and the idempotency key', async () => {
    const sent = await email.send({
      to: TO,
      subject: 'Still need that water heater looked at?',
      text: 'Hi Dana, we have openings on Thursday. Unsubscribe: https://leads.example.com/u/opaque-token',
      headers: UNSUBSCRIBE,
      idempotencyKey: 'lead-1:follow_up:2',
    });

    expect(fake.requests).toHaveLength(1);
    const [req] = fake.requests;
    expect(req).toMatchObject({ method: 'POST', path: '/emails' });
    expect(req!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req!.headers['idempotency-key']).toBe('lead-1:follow_up:2');
    expect(req!.body).toEqual({
      from: FROM,
      to: TO,
      subject: 'Still need that water heater looked at?',
      text: 'Hi Dana, we have openings on Thursday. Unsubscribe: https://leads.example.com/u/opaque-token',
      headers: {
        'List-Unsubscribe': '<https://leads.example.com/v1/email/unsubscribe?t=opaque-token>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    expect(fake.sent.map((e) => e.id)).toEqual([sent.providerId]);
    expect(fake.sent[0]).toMatchObject({ to: [TO], from: FROM });
  });

  it('sends from the given sender and HTML part when the caller names them', async () => {
    await email.send({
      from: 'Alerts <alerts@mail.example.com>',
      to: 'owner@riveraplumbing.example',
      subject: 'A lead asked for a person',
      text: 'Open leadflow to answer.',
      html: '<p>Open leadflow to answer.</p>',
      idempotencyKey: 'event-7:email',
    });
    expect(fake.requests[0]!.body).toEqual({
      from: 'Alerts <alerts@mail.example.com>',
      to: 'owner@riveraplumbing.example',
      subject: 'A lead asked for a person',
      text: 'Open leadflow to answer.',
      html: '<p>Open leadflow to answer.</p>',
    });
  });

  it('a retry with the same idempotency key gets the first email back, not a second one', async () => {
    const input = { to: TO, subject: 'Your code', text: 'Your code is 123456', idempotencyKey: `req-${randomUUID()}` };
    const before = fake.sent.length;
    const first = await email.send(input);
    const again = await email.send(input);
    expect(again.providerId).toBe(first.providerId);
    expect(fake.sent.length).toBe(before + 1);
    expect(fake.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      input.idempotencyKey,
      input.idempotencyKey,
    ]);
  });

  it('classifies a 4xx as permanent (never retried) and a 5xx, a 429 or no answer as transient', async () => {
    const send = () => email.send({ to: TO, subject: 's', text: 't', idempotencyKey: randomUUID() });

    fake.failNextSends(1, { status: 422, name: 'validation_error', message: 'Invalid `to` field.' });
    const invalid = await failure(send());
    expect(invalid).toBeInstanceOf(EmailPermanentError);
    expect(invalid).toMatchObject({ code: 'validation_error', status: 422 });

    fake.failNextSends(1, { status: 403, name: 'invalid_from_address', message: 'Domain not verified' });
    expect(await failure(send())).toMatchObject({ name: 'EmailPermanentError', status: 403 });

    fake.failNextSends(1, { status: 500, name: 'internal_server_error' });
    const down = await failure(send());
    expect(down).toBeInstanceOf(EmailTransientError);
    expect(down).toMatchObject({ code: 'internal_server_error', status: 500 });

    fake.failNextSends(1, { status: 503, name: 'application_error' });
    expect(await failure(send())).toBeInstanceOf(EmailTransientError);

    fake.failNextSends(1, { status: 429, name: 'rate_limit_exceeded' });
    expect(await failure(send())).toMatchObject({ name: 'EmailTransientError', status: 429 });

    // The same key with another body is our bug, not the network's: permanent.
    const key = randomUUID();
    await email.send({ to: TO, subject: 'one', text: 't', idempotencyKey: key });
    const reused = await failure(email.send({ to: TO, subject: 'two', text: 't', idempotencyKey: key }));
    expect(reused).toMatchObject({ name: 'EmailPermanentError', code: 'invalid_idempotent_request', status: 409 });

    // Nothing listening: the SDK answers without a status.
    const closed = await startResendFake();
    await closed.close();
    const offline = createResendEmailProvider({ apiKey: API_KEY, defaultFrom: FROM, baseUrl: closed.url });
    const unreachable = await failure(offline.send({ to: TO, subject: 's', text: 't', idempotencyKey: 'k' }));
    expect(unreachable).toBeInstanceOf(EmailTransientError);
    expect(unreachable).toMatchObject({ status: null });
  });

  it('a wrong API key is a permanent refusal', async () => {
    const wrong = createResendEmailProvider({ apiKey: 're_wrong', defaultFrom: FROM, baseUrl: fake.url });
    expect(await failure(wrong.send({ to: TO, subject: 's', text: 't', idempotencyKey: 'k' }))).toMatchObject({
      name: 'EmailPermanentError',
      status: 401,
    });
  });
});

describe('local email outbox: the emails table, read per business', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('records each email once per key, hands back a stable id, and lists only the business’s own, newest first', async () => {
    const local = createLocalEmailOutbox();
    const a = await createBusiness(database.db);
    const b = await createBusiness(database.db);
    const draft = (businessId: string, subject: string, key: string) => ({
      businessId,
      from: FROM,
      to: 'owner@example.com',
      subject,
      body: `${subject} body`,
      headers: UNSUBSCRIBE,
      kind: 'alert' as const,
      provider: local.name,
      idempotencyKey: key,
    });
    for (const [businessId, subject, key] of [
      [a.id, 'first', `a-1-${a.id}`],
      [b.id, 'other tenant', `b-1-${b.id}`],
      [a.id, 'second', `a-2-${a.id}`],
      [a.id, 'second again', `a-2-${a.id}`],
    ] as const) {
      await withTenant(database.appDb, businessId, async (tx) => {
        const row = await openEmail(tx, draft(businessId, subject, key));
        const { providerId } = await local.send({ to: row.toAddress, subject, text: row.body, idempotencyKey: key });
        expect(providerId).toBe(`LOCAL-${key}`);
        if (row.status !== 'sent') await markEmailSent(tx, row.id, providerId);
      });
    }

    const listed = await listDevEmails({ db: database.appDb, businessId: a.id, limit: 10 });
    expect(listed.map((e) => e.subject)).toEqual(['second', 'first']);
    expect(listed[0]).toMatchObject({
      from: FROM,
      to: 'owner@example.com',
      body: 'second body',
      headers: UNSUBSCRIBE,
      kind: 'alert',
      status: 'sent',
      leadId: null,
    });
    expect(await listDevEmails({ db: database.appDb, businessId: a.id, limit: 1 })).toHaveLength(1);
    expect((await listDevEmails({ db: database.appDb, businessId: b.id, limit: 10 })).map((e) => e.subject)).toEqual([
      'other tenant',
    ]);
    // Row-level security: without the tenant, the application role sees no email at all.
    const unscoped = await database.appDb.$queryRaw<Array<{ n: number }>>`SELECT COUNT(*)::int AS n FROM emails`;
    expect(unscoped[0]!.n).toBe(0);
  });
});
