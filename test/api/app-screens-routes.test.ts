import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDeletionReceipt } from '../../db/deletion-receipts';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

/** The reads the app's bookings and compliance screens need: appointments by range, runs, holds, the chain. */
describe('routes behind the bookings week view and the compliance console', () => {
  let stack: Stack;
  const keys = { owner: '', operator: '', compliance: '', otherOwner: '' };
  let businessId = '';
  let leadId = '';

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const business = await createBusiness(db);
    const other = await createBusiness(db);
    businessId = business.id;
    const key = (id: string, role: 'owner' | 'operator' | 'compliance') =>
      withTenant(db, id, (tx) => createKey(tx, id, role, role)).then((k) => k.key);
    keys.owner = await key(business.id, 'owner');
    keys.operator = await key(business.id, 'operator');
    keys.compliance = await key(business.id, 'compliance');
    keys.otherOwner = await key(other.id, 'owner');
    const lead = await db.lead.create({
      data: {
        id: randomUUID(),
        businessId,
        name: 'Rosa Delgado',
        phone: '+12125550187',
        source: 'api',
        status: 'booked',
      },
    });
    leadId = lead.id;
    const service = await db.service.findFirstOrThrow({ where: { businessId, name: 'Drain cleaning' } });
    await db.appointment.createMany({
      data: [
        {
          businessId,
          leadId,
          serviceId: service.id,
          startsAt: new Date('2026-03-03T15:00:00Z'),
          endsAt: new Date('2026-03-03T16:00:00Z'),
        },
        {
          businessId,
          leadId,
          startsAt: new Date('2026-03-12T15:00:00Z'),
          endsAt: new Date('2026-03-12T16:00:00Z'),
          status: 'cancelled',
        },
      ],
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });

  it('lists the appointments starting in a range, with the lead’s name and the service', async () => {
    const week = await request(stack.app)
      .get('/v1/appointments')
      .query({ from: '2026-03-02T05:00:00Z', to: '2026-03-09T04:00:00Z' })
      .set(as(keys.operator));
    expect(week.status).toBe(200);
    expect(week.body.data).toEqual([
      {
        id: expect.any(String),
        leadId,
        leadName: 'Rosa Delgado',
        serviceName: 'Drain cleaning',
        status: 'booked',
        start: '2026-03-03T15:00:00.000Z',
        end: '2026-03-03T16:00:00.000Z',
      },
    ]);
    const other = await request(stack.app)
      .get('/v1/appointments')
      .query({ from: '2026-03-02T05:00:00Z', to: '2026-03-09T04:00:00Z' })
      .set(as(keys.otherOwner));
    expect(other.body.data).toEqual([]);
  });

  it('names the field of a bad range', async () => {
    const backwards = await request(stack.app)
      .get('/v1/appointments')
      .query({ from: '2026-03-09T00:00:00Z', to: '2026-03-02T00:00:00Z' })
      .set(as(keys.owner));
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toMatch(/^to: must be after from/);
    const long = await request(stack.app)
      .get('/v1/appointments')
      .query({ from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' })
      .set(as(keys.owner));
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/^to: the range may span at most 42 days/);
    const missing = await request(stack.app).get('/v1/appointments').set(as(keys.owner));
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/from/);
    const compliance = await request(stack.app)
      .get('/v1/appointments')
      .query({ from: '2026-03-02T05:00:00Z', to: '2026-03-09T04:00:00Z' })
      .set(as(keys.compliance));
    expect(compliance.status).toBe(403);
  });

  it('lists legal holds by lead id and reason, and recent retention runs', async () => {
    const held = await request(stack.app)
      .put(`/v1/leads/${leadId}/legal-hold`)
      .set(as(keys.compliance))
      .send({ reason: 'litigation 2026-17' });
    expect(held.status).toBe(200);
    const holds = await request(stack.app).get('/v1/compliance/legal-holds').set(as(keys.compliance));
    expect(holds.status).toBe(200);
    expect(holds.body.data).toEqual([
      { leadId, reason: 'litigation 2026-17', placedBy: expect.any(String), placedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(holds.body)).not.toContain('Rosa');

    const dry = await request(stack.app)
      .post('/v1/compliance/retention-runs')
      .set(as(keys.compliance))
      .send({ dryRun: true });
    expect(dry.status).toBe(202);
    const runs = await request(stack.app).get('/v1/compliance/retention-runs').set(as(keys.compliance));
    expect(runs.status).toBe(200);
    expect(runs.body.data[0]).toMatchObject({ id: dry.body.id, dryRun: true });
    const otherRuns = await request(stack.app).get('/v1/compliance/retention-runs').set(as(keys.otherOwner));
    expect(otherRuns.body.data).toEqual([]);
  });

  it('recomputes this business’s receipt chain, and finds a tampered link', async () => {
    for (const cause of ['retention:messaging_logs', 'privacy_request:deletion'])
      await writeDeletionReceipt(stack.database.appDb, { businessId, subjectId: null, cause, counts: { leads: 1 } });
    const ok = await request(stack.app).get('/v1/compliance/deletion-receipts/chain').set(as(keys.compliance));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, checked: 2, brokenAtSeq: null });

    await stack.database.db.deletionReceipt.updateMany({
      where: { businessId, seq: 2n },
      data: { counts: { leads: 5 } },
    });
    const broken = await request(stack.app).get('/v1/compliance/deletion-receipts/chain').set(as(keys.owner));
    expect(broken.body).toEqual({ ok: false, checked: 2, brokenAtSeq: '2' });
  });
});
