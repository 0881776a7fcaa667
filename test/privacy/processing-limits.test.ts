import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createLogger } from '../../logging/logger';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createLeadHarness, type LeadHarness } from '../support/lead-harness';

const NY = 'America/New_York';

/**
 * Correction, restriction, objection and marketing opt-out through the API, and what each
 * changes in the lead workflow over the following days (time-skipping server, real
 * activities and Postgres).
 */
describe('privacy requests change what the lead workflow does', () => {
  let h: LeadHarness;
  let app: ReturnType<typeof createApp>;
  const privacyKeys = derivePrivacyKeys(randomBytes(32));
  beforeAll(async () => {
    h = await createLeadHarness({ privacyKeys });
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

  it('restriction stops every send, objection and marketing opt-out stop follow-ups, correction changes the name the texts use', async () => {
    const business = await createBusiness(h.database.db);
    const owner = (await withTenant(h.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'owner')))
      .key;
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const leads = {
      control: await h.startLead({
        businessId: business.id,
        lead: { name: 'Bartholomew Quist', phone: '+12125550181' },
      }),
      restricted: await h.startLead({
        businessId: business.id,
        lead: { name: 'Clementine Achterberg', phone: '+12125550182' },
      }),
      objected: await h.startLead({
        businessId: business.id,
        lead: { name: 'Desmond Okafor-Lindqvist', phone: '+12125550183' },
      }),
      optedOut: await h.startLead({
        businessId: business.id,
        lead: { name: 'Evangeline Marchetti', phone: '+12125550184' },
      }),
      corrected: await h.startLead({
        businessId: business.id,
        lead: { name: 'Fenwick Ostrowski', phone: '+12125550185' },
      }),
    };
    for (const { leadId } of Object.values(leads))
      await expect.poll(async () => (await h.outbox(leadId)).length, { timeout: 20_000 }).toBe(1);
    expect((await h.outbox(leads.corrected.leadId))[0]!.body).toMatch(/^Hi Fenwick,/);

    const open = async (leadId: string, type: string, extra: Record<string, unknown> = {}) => {
      const res = await request(app)
        .post('/v1/privacy/requests')
        .set('Authorization', `Bearer ${owner}`)
        .send({ type, leadId, verification: { method: 'business_confirmation' }, ...extra });
      expect(res.status).toBe(202);
      await expect
        .poll(
          async () => (await h.database.db.privacyRequest.findUniqueOrThrow({ where: { id: res.body.id } })).status,
          { timeout: 20_000 },
        )
        .toBe('completed');
    };
    await open(leads.restricted.leadId, 'restriction');
    await open(leads.objected.leadId, 'objection');
    await open(leads.optedOut.leadId, 'marketing_opt_out');
    await open(leads.corrected.leadId, 'correction', {
      correction: { name: 'Rosalind Ostrowski', email: 'rosalind@example.net' },
    });
    expect(await h.database.db.lead.findUniqueOrThrow({ where: { id: leads.corrected.leadId } })).toMatchObject({
      name: 'Rosalind Ostrowski',
      email: 'rosalind@example.net',
    });
    expect(
      (await h.database.db.privacyRequest.findFirstOrThrow({ where: { leadId: leads.corrected.leadId } }))
        .payloadCiphertext,
    ).toBeNull();
    await expect.poll(async () => (await h.state(leads.restricted.leadId)).restricted, { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => (await h.state(leads.objected.leadId)).objected, { timeout: 20_000 }).toBe(true);

    // Two days: the control lead gets its +1 h and +1 d follow-ups.
    await h.sleep('2 days');
    await h.settle();
    const kinds = async (key: keyof typeof leads) => (await h.outbox(leads[key].leadId)).map((m) => m.kind);
    expect(await kinds('control')).toEqual(['first_reply', 'follow_up', 'follow_up']);
    expect(await kinds('restricted')).toEqual(['first_reply']);
    expect(await kinds('objected')).toEqual(['first_reply']);
    expect(await kinds('optedOut')).toEqual(['first_reply']);
    const corrected = await h.outbox(leads.corrected.leadId);
    expect(corrected.map((m) => m.kind)).toEqual(['first_reply', 'follow_up', 'follow_up']);
    expect(corrected[1]!.body).toMatch(/^Hi Rosalind,/);

    // A question still gets an answer after an objection (no AI, no marketing), never after a restriction.
    await h.text({ businessId: business.id, from: '+12125550183', body: 'Do you also fix water heaters?' });
    await h.text({ businessId: business.id, from: '+12125550182', body: 'Do you also fix water heaters?' });
    await expect.poll(() => kinds('objected'), { timeout: 20_000 }).toEqual(['first_reply', 'reply']);
    await h.settle();
    expect(await kinds('restricted')).toEqual(['first_reply']);
  }, 120_000);
});
