import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

/** The inbox and the email channel on the real stack (dev server, worker, API, Postgres under RLS). */
describe('alerts and email through the API', () => {
  let stack: Stack;
  let business: { id: string };
  let owner: string;
  let operator: string;
  let compliance: string;
  const api = () => request(stack.app);
  const as = (key: string) => ({
    get: (path: string) => api().get(path).set('Authorization', `Bearer ${key}`),
    post: (path: string, body?: object) =>
      api()
        .post(path)
        .set('Authorization', `Bearer ${key}`)
        .send(body ?? {}),
    patch: (path: string, body: object) => api().patch(path).set('Authorization', `Bearer ${key}`).send(body),
  });

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    business = await createBusiness(stack.database.db, { contactEmail: 'owner@rivera-plumbing.example' });
    const key = (role: 'owner' | 'operator' | 'compliance') =>
      withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, role, role)).then((k) => k.key);
    owner = await key('owner');
    operator = await key('operator');
    compliance = await key('compliance');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('code_to_email: the code arrives in the local email outbox (GET /v1/dev/emails) and verifies the request', async () => {
    const phone = await daytimePhone(71);
    const captured = await api()
      .post('/v1/leads')
      .set('Authorization', `Bearer ${owner}`)
      .set('Idempotency-Key', 'alerts-api-email-lead')
      .send({
        name: 'Imogen Castellanos',
        phone,
        email: 'imogen@example.net',
        consent: { text: 'I agree to receive texts about my request. Reply STOP to opt out.' },
      });
    expect(captured.status).toBe(202);
    const leadId = captured.body.id as string;
    await expect.poll(() => stack.database.db.lead.count({ where: { id: leadId } }), { timeout: 30_000 }).toBe(1);

    const opened = await as(compliance).post('/v1/privacy/requests', {
      type: 'access',
      leadId,
      verification: { method: 'code_to_email' },
    });
    expect(opened.status).toBe(202);
    const id = opened.body.id as string;

    let code = '';
    await expect
      .poll(
        async () => {
          const res = await as(owner).get('/v1/dev/emails').query({ leadId });
          expect(res.status).toBe(200);
          const mail = (res.body.data as Array<{ kind: string; to: string; body: string }>).find(
            (m) => m.kind === 'verification_code',
          );
          if (mail) expect(mail.to).toBe('imogen@example.net');
          code = mail?.body.match(/\b(\d{6})\b/)?.[1] ?? '';
          return code;
        },
        { timeout: 30_000 },
      )
      .toMatch(/^\d{6}$/);
    const verified = await as(compliance).post(`/v1/privacy/requests/${id}/verify`, { code });
    expect(verified.status).toBe(200);
    await expect
      .poll(async () => (await as(compliance).get(`/v1/privacy/requests/${id}`)).body.status, { timeout: 30_000 })
      .toMatch(/^(verified|completed)$/);

    // A lead without an email address on file: 422 naming the method.
    const phoneOnly = await daytimePhone(72);
    const second = await as(owner).post('/v1/dev/inbound-sms', { from: phoneOnly, body: 'Hi, do you fix drains?' });
    expect(second.status).toBe(202);
    await expect
      .poll(() => stack.database.db.lead.count({ where: { id: second.body.leadId } }), { timeout: 30_000 })
      .toBe(1);
    const refused = await as(compliance).post('/v1/privacy/requests', {
      type: 'access',
      leadId: second.body.leadId,
      verification: { method: 'code_to_email' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/^verification\.method:/);
  }, 120_000);

  it('lists alerts newest first, filters unread, marks read; channels are chosen with PATCH /v1/business', async () => {
    const from = await daytimePhone(73);
    const first = await as(owner).post('/v1/dev/inbound-sms', { from, body: 'Can I talk to a real person?' });
    expect(first.status).toBe(202);
    await expect.poll(async () => (await as(owner).get('/v1/alerts')).body.data?.length, { timeout: 30_000 }).toBe(1);
    const list = await as(operator).get('/v1/alerts');
    expect(list.status).toBe(200);
    const [alert] = list.body.data;
    expect(alert).toMatchObject({ kind: 'handoff_requested', leadId: first.body.leadId, read: false, readAt: null });
    expect(list.body.next).toBeNull();
    // The email went to the contact address, in the local outbox; the owner's SMS went too.
    await expect
      .poll(
        async () =>
          ((await as(owner).get('/v1/dev/emails')).body.data as Array<{ kind: string; to: string }>).filter(
            (m) => m.kind === 'alert',
          ).length,
        { timeout: 30_000 },
      )
      .toBe(1);
    await expect
      .poll(() => stack.database.db.alertDelivery.count({ where: { alertId: alert.id, status: 'sent' } }), {
        timeout: 30_000,
      })
      .toBe(2);

    // Compliance keys see privacy deadlines only.
    expect((await as(compliance).get('/v1/alerts')).body.data).toEqual([]);
    expect((await as(compliance).post(`/v1/alerts/${alert.id}/read`)).status).toBe(404);

    const read = await as(operator).post(`/v1/alerts/${alert.id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: alert.id, read: true });
    expect((await as(owner).get('/v1/alerts').query({ unread: 'true' })).body.data).toEqual([]);
    expect((await as(owner).get('/v1/alerts').query({ unread: 'false' })).body.data).toHaveLength(1);
    expect((await as(owner).get('/v1/alerts').query({ unread: 'maybe' })).status).toBe(400);
    expect((await as(owner).get('/v1/alerts').query({ cursor: 'not-a-cursor' })).body.error.message).toMatch(
      /^cursor:/,
    );
    expect((await as(owner).post('/v1/alerts/6f1c2b9a-4d3e-4f5a-8b7c-9d0e1f2a3b4c/read')).status).toBe(404);

    // Channels: SMS off, email stays on; a bad value names the field.
    const bad = await as(owner).patch('/v1/business', { alertChannels: { sms: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/alertChannels/);
    const patched = await as(owner).patch('/v1/business', { alertChannels: { sms: false } });
    expect(patched.status).toBe(200);
    expect(patched.body.alertChannels).toEqual({ sms: false, email: true, webhooks: true });

    const again = await as(owner).post('/v1/dev/inbound-sms', {
      from: await daytimePhone(74),
      body: 'Let me speak to the owner',
    });
    await expect
      .poll(async () => (await as(owner).get('/v1/alerts').query({ unread: 'true' })).body.data?.length, {
        timeout: 30_000,
      })
      .toBe(1);
    const newest = (await as(owner).get('/v1/alerts').query({ limit: 1 })).body;
    expect(newest.data[0]).toMatchObject({ kind: 'handoff_requested', leadId: again.body.leadId });
    expect(newest.next).not.toBeNull();
    const older = (await as(owner).get('/v1/alerts').query({ limit: 1, cursor: newest.next })).body;
    expect(older.data.map((a: { id: string }) => a.id)).toEqual([alert.id]);
    await expect
      .poll(
        async () =>
          (await stack.database.db.alertDelivery.findMany({ where: { alertId: newest.data[0].id } }))
            .map((d) => d.channel)
            .sort(),
        { timeout: 30_000 },
      )
      .toEqual(['email', 'webhook']);
  }, 120_000);
});
