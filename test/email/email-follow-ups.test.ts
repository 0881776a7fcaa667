import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKeyring } from '../../domain/crypto/keyring';
import { privacyKeysOf } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import type { CapturedLead } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';
const TUESDAY = 2;
const BASE_URL = 'https://leads.example.test';

const consent = (email: boolean): CapturedLead['consent'] => ({
  text: 'By submitting, you agree to receive texts and emails about your request. Reply STOP to opt out.',
  at: new Date().toISOString(),
  method: 'api',
  ...(email ? { email: true } : {}),
});

/**
 * Follow-ups by email on the time-skipping server with the real activities, Postgres, the
 * local email outbox and the API's one-click unsubscribe.
 */
describe('email follow-ups', () => {
  let h: LeadHarness;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    const privacyKeys = privacyKeysOf(createKeyring({ current: randomBytes(32) }));
    h = await createLeadHarness({ privacyKeys, publicBaseUrl: BASE_URL });
    app = createApp({
      db: h.database.appDb,
      temporal: h.env.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: h.taskQueue,
      privacyKeys,
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  const texts = (leadId: string) => async () => (await h.outbox(leadId)).length;
  const emails = (leadId: string) => h.database.db.email.findMany({ where: { leadId }, orderBy: { createdAt: 'asc' } });
  const emailCount = (leadId: string) => async () => (await emails(leadId)).length;

  it('emails a consenting lead on "both" steps with a one-click unsubscribe; after it, email steps are refused and texts go on', async () => {
    const business = await createBusiness(h.database.db, { followUpChannels: ['both', 'both', 'email', 'sms'] });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: { phone: '+12125550142', email: 'dana@example.com', consent: consent(true) },
    });
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(1);
    expect(await emails(leadId)).toHaveLength(0);

    // Step 1 is "both": the text and the email.
    await h.sleep('61 minutes');
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(2);
    await expect.poll(emailCount(leadId), { timeout: 20_000 }).toBe(1);
    const [mail] = await emails(leadId);
    expect(mail).toMatchObject({ kind: 'follow_up', status: 'sent', toAddress: 'dana@example.com' });
    const headers = mail!.headers as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const link = /^<(https:\/\/leads\.example\.test\/v1\/email\/unsubscribe\?token=[^>]+)>$/.exec(
      headers['List-Unsubscribe'] ?? '',
    );
    expect(link).not.toBeNull();
    const url = new URL(link![1]!);
    expect(url.search).not.toContain('dana');

    // What a mail app sends (RFC 8058), without an API key; again answers 200 too.
    for (let i = 0; i < 2; i++) {
      const res = await request(app)
        .post(`${url.pathname}${url.search}`)
        .type('form')
        .send('List-Unsubscribe=One-Click');
      expect(res.status).toBe(200);
    }
    expect(await h.database.db.emailSuppression.count({ where: { businessId: business.id } })).toBe(1);
    // Another last hex digit than the real one (a fixed '0' left the token intact one time in 16).
    const token = url.searchParams.get('token')!;
    const forgedToken = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    const forged = await request(app)
      .post(`/v1/email/unsubscribe?token=${forgedToken}`)
      .type('form')
      .send('List-Unsubscribe=One-Click');
    expect(forged.status).toBe(400);
    expect(JSON.stringify(forged.body)).toContain('token');

    // Step 2 ("both"): the email is refused (no new row), the text goes out.
    await h.sleep('1 day');
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(3);
    // Step 3 ("email"): the address is unsubscribed, so the step is texted instead.
    await h.sleep('2 days');
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(4);
    expect(await emails(leadId)).toHaveLength(1);
    expect((await h.state(leadId)).followUpsSent).toBe(3);
  });

  it('an email-only step emails a consenting lead and sends no text', async () => {
    const business = await createBusiness(h.database.db, { followUpChannels: ['email'] });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: { phone: '+12125550177', email: 'sam@example.com', consent: consent(true) },
    });
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(1);
    await h.sleep('61 minutes');
    await expect.poll(emailCount(leadId), { timeout: 20_000 }).toBe(1);
    await expect.poll(async () => (await h.state(leadId)).followUpsSent, { timeout: 20_000 }).toBe(1);
    expect(await h.outbox(leadId)).toHaveLength(1);
  });

  it('a lead without consent to email gets texts only', async () => {
    const business = await createBusiness(h.database.db, { followUpChannels: ['both', 'email'] });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({
      businessId: business.id,
      lead: { phone: '+12125550188', email: 'lee@example.com', consent: consent(false) },
    });
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(1);
    await h.sleep('61 minutes');
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(2);
    await h.sleep('1 day');
    await expect.poll(texts(leadId), { timeout: 20_000 }).toBe(3);
    expect(await emails(leadId)).toHaveLength(0);
  });
});
