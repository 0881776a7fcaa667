import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const CONSENT = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };

/** Issue 13, item 8: keys are validated everywhere; a key reused with another body is refused (422), as Stripe does. */
describe('Idempotency-Key', () => {
  let stack: Stack;
  let owner = '';

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db);
    owner = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  const capture = (key: string, body: object) =>
    request(stack.app).post('/v1/leads').set('Authorization', `Bearer ${owner}`).set('Idempotency-Key', key).send(body);
  const text = (leadId: string, key: string | null, body: string) => {
    const req = request(stack.app).post(`/v1/leads/${leadId}/messages`).set('Authorization', `Bearer ${owner}`);
    if (key !== null) req.set('Idempotency-Key', key);
    return req.send({ text: body });
  };

  it('on capture: the same body gets the stored answer, another body 422 idempotency_key_reused', async () => {
    const phone = await daytimePhone(91);
    const body = { name: 'Octavia Brennan-Mbeki', phone, consent: CONSENT };
    const first = await capture('form-submit-91', body);
    expect(first.status).toBe(202);
    const same = await capture('form-submit-91', body);
    expect(same.status).toBe(202);
    expect(same.body).toEqual(first.body);
    const other = await capture('form-submit-91', { ...body, name: 'Someone Else', message: 'a second request' });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({
      code: 'idempotency_key_reused',
      message: expect.stringContaining('Idempotency-Key'),
      details: [{ field: 'Idempotency-Key', reason: expect.any(String) }],
    });
    const lead = await stack.database.db.lead.findUniqueOrThrow({ where: { id: first.body.id as string } });
    expect(lead.name).toBe('Octavia Brennan-Mbeki');
    expect(await stack.database.db.lead.count({ where: { phone } })).toBe(1);
  });

  it('on a person’s text: refuses bad keys with 400 naming the header, sends once per key, refuses another text', async () => {
    const accepted = await capture('form-submit-92', {
      name: 'Leopold Achebe-Sandoval',
      phone: await daytimePhone(92),
      consent: CONSENT,
    });
    const leadId = accepted.body.id as string;
    await expect
      .poll(() => stack.database.db.message.count({ where: { leadId, direction: 'outbound' } }), { timeout: 30_000 })
      .toBe(1);

    for (const bad of ['k'.repeat(256), 'k'.repeat(4800), 'two words', 'clé']) {
      const res = await text(leadId, bad, 'We can come Tuesday morning.');
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ field: 'Idempotency-Key', reason: expect.any(String) }]);
    }

    const key = `msg-${'x'.repeat(250)}`; // 255 characters: the most the contract allows
    const sent = await text(leadId, key, 'We can come Tuesday morning.');
    expect(sent.status).toBe(201);
    const again = await text(leadId, key, 'We can come Tuesday morning.');
    expect(again.status).toBe(201);
    expect(again.body).toEqual(sent.body);
    const reused = await text(leadId, key, 'Actually, Wednesday.');
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({
      code: 'idempotency_key_reused',
      details: [{ field: 'Idempotency-Key', reason: expect.any(String) }],
    });
    const manual = await stack.database.db.message.findMany({ where: { leadId, kind: 'manual' } });
    expect(manual.map((m) => m.body)).toEqual(['We can come Tuesday morning.']);
    // Without a key, each call is its own text.
    expect((await text(leadId, null, 'See you then.')).status).toBe(201);
    expect(await stack.database.db.message.count({ where: { leadId, kind: 'manual' } })).toBe(2);
  }, 120_000);
});
