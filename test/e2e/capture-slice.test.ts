import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../api/routes/businesses';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const consent = { text: 'By submitting, you agree to receive texts about your request. Reply STOP to opt out.' };

/** The vertical slice on the real stack: API → Temporal dev server → worker → Postgres. */
describe('capture → first reply (real dev server, real Postgres)', () => {
  let stack: Stack;
  let ownerKey: string;

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db);
    ownerKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'test')))
      .key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const get = (path: string) => request(stack.app).get(path).set('Authorization', `Bearer ${ownerKey}`);

  it('captures a lead, stores it, and sends the first reply through the local provider', async () => {
    // A number whose local time is inside 08:00–21:00 now: quiet hours would hold the reply.
    const phone = await daytimePhone(0);
    const capture = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ name: 'Dana Whitfield', phone, message: 'Water heater leaking', consent });
    expect(capture.status).toBe(202);
    const id: string = capture.body.id;
    expect(capture.headers.location).toBe(`/v1/leads/${id}`);

    await expect.poll(async () => (await get(`/v1/leads/${id}`)).body.messages?.length, { timeout: 30_000 }).toBe(1);
    const lead = await get(`/v1/leads/${id}`);
    expect(lead.status).toBe(200);
    expect(lead.body).toMatchObject({ id, name: 'Dana Whitfield', phone, status: 'contacted' });
    expect(lead.body.messages[0]).toMatchObject({ direction: 'outbound', kind: 'first_reply', status: 'sent' });
    expect(lead.body.workflow).toMatchObject({
      id: `lead-${id}`,
      status: 'contacted',
      nextAction: { kind: expect.stringMatching(/follow_up|retention_delete/) },
    });
    const consentRow = await stack.database.db.consentRecord.findFirstOrThrow({ where: { leadId: id } });
    expect(consentRow).toMatchObject({ consentText: consent.text, method: 'api' });
  });

  it('gives one lead and one workflow for 20 concurrent captures with one Idempotency-Key', async () => {
    const key = `form-${randomUUID()}`;
    const phone = await daytimePhone(1);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(stack.app)
          .post('/v1/leads')
          .set('Authorization', `Bearer ${ownerKey}`)
          .set('Idempotency-Key', key)
          .send({ name: 'Sam Ortiz', phone, consent }),
      ),
    );
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([202]));
    const ids = new Set(replies.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    await expect.poll(() => stack.database.db.lead.count({ where: { id } }), { timeout: 30_000 }).toBe(1);
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = 'lead-${id}'` })) runs.push(wf);
    expect(runs).toHaveLength(1);
    await expect.poll(() => stack.database.db.message.count({ where: { leadId: id } }), { timeout: 30_000 }).toBe(1);
  });

  it('answers bad input with a 400 naming the field and why', async () => {
    const res = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send({ name: 'X', phone: '12', consent });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'bad_request', message: expect.stringContaining('phone') });
    expect(res.body.error.details).toEqual([{ field: 'phone', reason: expect.any(String) }]);
  });

  it('refuses a missing or wrong key', async () => {
    expect((await request(stack.app).post('/v1/leads').send({})).status).toBe(401);
    const wrong = await request(stack.app)
      .get(`/v1/leads/${randomUUID()}`)
      .set('Authorization', `Bearer ${ownerKey.slice(0, -2)}xx`);
    expect(wrong.status).toBe(401);
  });

  it('is ready when Postgres and Temporal answer', async () => {
    const res = await request(stack.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ postgres: 'ok', temporal: 'ok' });
    expect((await request(stack.app).get('/healthz')).status).toBe(200);
  });
});
