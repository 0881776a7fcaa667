import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const DAY = 86_400_000;

/** The technician marks a lead's job through the API: POST /v1/leads/{id}/job, shown on GET /v1/leads/{id}. */
describe('a lead’s job through the API', () => {
  let stack: Stack;
  const keys = { owner: '', operator: '', compliance: '', otherOwner: '' };
  let businessName = '';
  let phoneSuffix = 80;

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const business = await createBusiness(db);
    const other = await createBusiness(db);
    businessName = business.name;
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
  let dayOffset = 3;
  const futureStart = () => {
    const at = new Date(Date.now() + (dayOffset += 1) * DAY);
    at.setUTCHours(15, 0, 0, 0);
    return at.toISOString();
  };
  async function bookedLead(): Promise<{ leadId: string; appointmentId: string }> {
    const phone = await daytimePhone((phoneSuffix += 1));
    const res = await request(stack.app)
      .post('/v1/leads')
      .set(as(keys.owner))
      .send({ name: 'Rosa Delgado', phone, consent: { text: 'I agree to receive texts.' } });
    expect(res.status).toBe(202);
    const leadId = res.body.id as string;
    const booked = await request(stack.app)
      .post(`/v1/leads/${leadId}/appointment`)
      .set(as(keys.owner))
      .send({ start: futureStart() });
    expect(booked.status).toBe(201);
    return { leadId, appointmentId: booked.body.appointmentId as string };
  }
  const job = (leadId: string, key: string, body: object) =>
    request(stack.app).post(`/v1/leads/${leadId}/job`).set(as(key)).send(body);
  const lastText = async (leadId: string) =>
    (
      await stack.database.db.message.findFirst({
        where: { leadId, direction: 'outbound' },
        orderBy: { createdAt: 'desc' },
      })
    )?.body;

  it('marks en route, in progress and finished; the job shows on the lead; the lead is texted', async () => {
    const { leadId, appointmentId } = await bookedLead();
    const scheduled = await request(stack.app).get(`/v1/leads/${leadId}`).set(as(keys.owner));
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.workflow.job).toMatchObject({ appointmentId, status: 'scheduled', technicianName: null });

    const enRoute = await job(leadId, keys.operator, {
      status: 'en_route',
      etaMinutes: 20,
      technicianName: 'Luis Ortiz',
    });
    expect(enRoute.status).toBe(200);
    expect(enRoute.body).toEqual({
      appointmentId,
      status: 'en_route',
      technicianName: 'Luis Ortiz',
      etaMinutes: 20,
      amountCents: null,
      updatedAt: expect.any(String),
    });
    await expect
      .poll(() => lastText(leadId), { timeout: 20_000 })
      .toBe(`Luis from ${businessName} is on the way, arriving in about 20 min.`);

    expect((await job(leadId, keys.owner, { status: 'in_progress' })).status).toBe(200);
    const finished = await job(leadId, keys.owner, { status: 'finished', amountCents: 12_000 });
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ status: 'finished', amountCents: 12_000, technicianName: 'Luis Ortiz' });
    await expect.poll(() => lastText(leadId), { timeout: 20_000 }).toMatch(/^Thanks for choosing /);

    const lead = await request(stack.app).get(`/v1/leads/${leadId}`).set(as(keys.owner));
    expect(lead.body.workflow.job).toMatchObject({ status: 'finished', amountCents: 12_000 });
    expect(lead.body.appointments).toEqual([expect.objectContaining({ id: appointmentId, status: 'completed' })]);
  });

  it('answers 409 naming the current status for a move the job cannot make, and no_job without a booking', async () => {
    const { leadId } = await bookedLead();
    const early = await job(leadId, keys.owner, { status: 'finished' });
    expect(early.status).toBe(409);
    expect(early.body.error).toEqual({
      code: 'conflict',
      message: 'status: the job is scheduled and cannot become finished',
      details: { reason: 'invalid_transition', current: 'scheduled' },
    });
    expect((await job(leadId, keys.owner, { status: 'in_progress' })).status).toBe(200);
    expect((await job(leadId, keys.owner, { status: 'finished' })).status).toBe(200);
    const after = await job(leadId, keys.owner, { status: 'in_progress' });
    expect(after.status).toBe(409);
    expect(after.body.error.details).toEqual({ reason: 'invalid_transition', current: 'finished' });

    const phone = await daytimePhone((phoneSuffix += 1));
    const unbooked = await request(stack.app)
      .post('/v1/leads')
      .set(as(keys.owner))
      .send({ name: 'Ana Ruiz', phone, consent: { text: 'I agree to receive texts.' } });
    const none = await job(unbooked.body.id as string, keys.owner, { status: 'en_route' });
    expect(none.status).toBe(409);
    expect(none.body.error.details).toEqual({ reason: 'no_job', current: null });
  });

  it('answers 404 across tenants and for an id that is no lead, 403 to compliance, 400 naming the field', async () => {
    const { leadId } = await bookedLead();
    for (const id of [leadId, randomUUID(), 'not-a-lead']) {
      const res = await job(id, keys.otherOwner, { status: 'en_route' });
      expect([id, res.status, res.body.error?.code]).toEqual([id, 404, 'not_found']);
    }
    expect((await job(leadId, keys.compliance, { status: 'en_route' })).status).toBe(403);
    const lead = await request(stack.app).get(`/v1/leads/${leadId}`).set(as(keys.owner));
    expect(lead.body.workflow.job.status).toBe('scheduled');

    const badEta = await job(leadId, keys.owner, { status: 'en_route', etaMinutes: -5 });
    expect(badEta.status).toBe(400);
    expect(badEta.body.error.message).toMatch(/etaMinutes/);
    const badStatus = await job(leadId, keys.owner, { status: 'done' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.message).toMatch(/status/);
    const stray = await job(leadId, keys.owner, { status: 'in_progress', amountCents: 5 });
    expect(stray.status).toBe(400);

    const doc = (await request(stack.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { operationId?: string; 'x-roles'?: string[] }>>;
    };
    expect(doc.paths['/v1/leads/{id}/job']?.post).toMatchObject({
      operationId: 'postLeadsByIdJob',
      'x-roles': ['owner', 'operator'],
    });
  });
});
