import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const DAY = 86_400_000;

/** The business's app books, moves, cancels and settles a lead's appointment through the API. */
describe('a lead’s appointment through the API', () => {
  let stack: Stack;
  const keys = { owner: '', operator: '', compliance: '', otherOwner: '' };
  let phoneSuffix = 60;

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const business = await createBusiness(db);
    const other = await createBusiness(db);
    const key = (id: string, role: 'owner' | 'operator' | 'compliance') =>
      withTenant(db, id, (tx) => createKey(tx, id, role, role)).then((k) => k.key);
    keys.owner = await key(business.id, 'owner');
    keys.operator = await key(business.id, 'operator');
    keys.compliance = await key(business.id, 'compliance');
    keys.otherOwner = await key(other.id, 'owner');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const as = (key: string) => ({ Authorization: `Bearer ${key}` });
  async function newLead(): Promise<string> {
    const phone = await daytimePhone((phoneSuffix += 1));
    const res = await request(stack.app)
      .post('/v1/leads')
      .set(as(keys.owner))
      .send({ name: 'Rosa Delgado', phone, consent: { text: 'I agree to receive texts.' } });
    expect(res.status).toBe(202);
    return res.body.id as string;
  }
  /** A start a few days out, on the hour, distinct per call so no two bookings collide. */
  let dayOffset = 3;
  const futureStart = () => {
    const at = new Date(Date.now() + (dayOffset += 1) * DAY);
    at.setUTCHours(15, 0, 0, 0);
    return at.toISOString();
  };
  const outbound = (leadId: string) =>
    stack.database.db.message.findMany({
      where: { leadId, direction: 'outbound' },
      orderBy: { createdAt: 'asc' },
      select: { kind: true, body: true },
    });

  it('books, moves and cancels: the row follows, the lead is told each time', async () => {
    const leadId = await newLead();
    const first = futureStart();
    const booked = await request(stack.app)
      .post(`/v1/leads/${leadId}/appointment`)
      .set(as(keys.owner))
      .send({ start: first });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ status: 'booked', start: first });
    const appointmentId = booked.body.appointmentId as string;

    const second = futureStart();
    const moved = await request(stack.app)
      .patch(`/v1/leads/${leadId}/appointment`)
      .set(as(keys.operator))
      .send({ start: second });
    expect(moved.status).toBe(200);
    expect(moved.body).toEqual({ appointmentId, status: 'booked', start: second, end: expect.any(String) });
    const row = await stack.database.db.appointment.findUniqueOrThrow({ where: { id: appointmentId } });
    expect(row).toMatchObject({ status: 'booked', startsAt: new Date(second) });
    await expect
      .poll(async () => (await outbound(leadId)).filter((m) => m.kind === 'confirmation').length, { timeout: 20_000 })
      .toBe(2);

    const cancelled = await request(stack.app).delete(`/v1/leads/${leadId}/appointment`).set(as(keys.owner));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ appointmentId, status: 'cancelled', start: second });
    expect((await stack.database.db.appointment.findUniqueOrThrow({ where: { id: appointmentId } })).status).toBe(
      'cancelled',
    );
    await expect.poll(async () => (await outbound(leadId)).at(-1)?.body, { timeout: 20_000 }).toMatch(/cancelled/);

    const again = await request(stack.app).delete(`/v1/leads/${leadId}/appointment`).set(as(keys.owner));
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', details: { reason: 'no_appointment' } });
  });

  it('answers 409 no_appointment to a move, a cancel or an outcome of a lead without a booking', async () => {
    const leadId = await newLead();
    const calls = [
      request(stack.app).patch(`/v1/leads/${leadId}/appointment`).set(as(keys.owner)).send({ start: futureStart() }),
      request(stack.app).delete(`/v1/leads/${leadId}/appointment`).set(as(keys.owner)),
      request(stack.app)
        .post(`/v1/leads/${leadId}/appointment/outcome`)
        .set(as(keys.owner))
        .send({ outcome: 'completed' }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({
        code: 'conflict',
        message: 'the lead has no appointment',
        details: { reason: 'no_appointment' },
      });
    }
  });

  it('refuses an outcome before the appointment starts (409 not_started), and leaves it booked', async () => {
    const leadId = await newLead();
    const start = futureStart();
    expect(
      (await request(stack.app).post(`/v1/leads/${leadId}/appointment`).set(as(keys.owner)).send({ start })).status,
    ).toBe(201);
    const early = await request(stack.app)
      .post(`/v1/leads/${leadId}/appointment/outcome`)
      .set(as(keys.operator))
      .send({ outcome: 'no_show' });
    expect(early.status).toBe(409);
    expect(early.body.error.details).toEqual({ reason: 'not_started' });
    const rows = await stack.database.db.appointment.findMany({ where: { leadId } });
    expect(rows.map((r) => r.status)).toEqual(['booked']);
  });

  it('answers 409 slot_taken when the new start is another lead’s appointment', async () => {
    const [a, b] = [await newLead(), await newLead()];
    const [startA, startB] = [futureStart(), futureStart()];
    for (const [leadId, start] of [
      [a, startA],
      [b, startB],
    ] as const)
      expect(
        (await request(stack.app).post(`/v1/leads/${leadId}/appointment`).set(as(keys.owner)).send({ start })).status,
      ).toBe(201);
    const onto = await request(stack.app)
      .patch(`/v1/leads/${b}/appointment`)
      .set(as(keys.owner))
      .send({ start: startA });
    expect(onto.status).toBe(409);
    expect(onto.body.error.details).toEqual({ reason: 'slot_taken' });
    const rowB = await stack.database.db.appointment.findFirstOrThrow({ where: { leadId: b } });
    expect(rowB.startsAt).toEqual(new Date(startB));
  });

  it('answers 404 for another business’s lead and for an id that is no lead, and changes nothing', async () => {
    const leadId = await newLead();
    const start = futureStart();
    expect(
      (await request(stack.app).post(`/v1/leads/${leadId}/appointment`).set(as(keys.owner)).send({ start })).status,
    ).toBe(201);
    for (const id of [leadId, randomUUID(), 'not-a-lead']) {
      const responses = await Promise.all([
        request(stack.app).post(`/v1/leads/${id}/appointment`).set(as(keys.otherOwner)).send({ start: futureStart() }),
        request(stack.app).patch(`/v1/leads/${id}/appointment`).set(as(keys.otherOwner)).send({ start: futureStart() }),
        request(stack.app).delete(`/v1/leads/${id}/appointment`).set(as(keys.otherOwner)),
        request(stack.app)
          .post(`/v1/leads/${id}/appointment/outcome`)
          .set(as(keys.otherOwner))
          .send({ outcome: 'completed' }),
      ]);
      for (const res of responses) expect([id, res.status, res.body.error?.code]).toEqual([id, 404, 'not_found']);
    }
    const rows = await stack.database.db.appointment.findMany({ where: { leadId } });
    expect(rows.map((r) => [r.status, r.startsAt.toISOString()])).toEqual([['booked', start]]);
  });

  it('takes owner and operator keys only (403 for compliance), and names the field of bad input', async () => {
    const leadId = await newLead();
    const forbidden = await Promise.all([
      request(stack.app)
        .post(`/v1/leads/${leadId}/appointment`)
        .set(as(keys.compliance))
        .send({ start: futureStart() }),
      request(stack.app)
        .patch(`/v1/leads/${leadId}/appointment`)
        .set(as(keys.compliance))
        .send({ start: futureStart() }),
      request(stack.app).delete(`/v1/leads/${leadId}/appointment`).set(as(keys.compliance)),
      request(stack.app)
        .post(`/v1/leads/${leadId}/appointment/outcome`)
        .set(as(keys.compliance))
        .send({ outcome: 'completed' }),
    ]);
    for (const res of forbidden) expect(res.status).toBe(403);
    expect(await stack.database.db.appointment.count({ where: { leadId } })).toBe(0);

    const badStart = await request(stack.app)
      .patch(`/v1/leads/${leadId}/appointment`)
      .set(as(keys.owner))
      .send({ start: 'next tuesday' });
    expect(badStart.status).toBe(400);
    expect(badStart.body.error.message).toMatch(/^start: /);
    const badOutcome = await request(stack.app)
      .post(`/v1/leads/${leadId}/appointment/outcome`)
      .set(as(keys.operator))
      .send({ outcome: 'maybe' });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.error.message).toMatch(/^outcome: /);

    const doc = (await request(stack.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { 'x-roles'?: string[] }>>;
    };
    const ops = doc.paths['/v1/leads/{id}/appointment']!;
    for (const method of ['post', 'patch', 'delete']) expect(ops[method]?.['x-roles']).toEqual(['owner', 'operator']);
    expect(doc.paths['/v1/leads/{id}/appointment/outcome']?.post?.['x-roles']).toEqual(['owner', 'operator']);
  });
});
