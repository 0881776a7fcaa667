import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const CONSENT = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };
const WINDOW_MS = 10 * 60_000;
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The formula lead ids once had: an unsalted hash of business, phone and 10-minute bucket (or the key). */
const oldId = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
const oldPhoneId = (businessId: string, phone: string, at: Date) =>
  oldId(`${businessId}\nphone\n${phone}\n${Math.floor(at.getTime() / WINDOW_MS)}`);

/** Issue 13, item 1: lead ids carry nothing derivable from the person; sameness lives in keyed hashes. */
describe('lead ids', () => {
  let stack: Stack;
  let clock = new Date();
  const businesses: Array<{ id: string; key: string }> = [];

  beforeAll(async () => {
    stack = await startStack({ app: { now: () => clock } });
    for (let i = 0; i < 2; i += 1) {
      const business = await createBusiness(stack.database.db);
      const { key } = await withTenant(stack.database.db, business.id, (tx) =>
        createKey(tx, business.id, 'owner', 'o'),
      );
      businesses.push({ id: business.id, key });
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  const capture = (business: { key: string }, phone: string, idempotencyKey?: string) => {
    const req = request(stack.app).post('/v1/leads').set('Authorization', `Bearer ${business.key}`);
    if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
    return req.send({ name: 'Dana Whitfield', phone, consent: CONSENT });
  };

  it('gives random ids: other businesses and other windows get unrelated ids, none the old hash', async () => {
    const phone = await daytimePhone(71);
    const [a, b] = businesses as [{ id: string; key: string }, { id: string; key: string }];
    clock = new Date();
    const first = await capture(a, phone);
    const otherBusiness = await capture(b, phone);
    clock = new Date(clock.getTime() + 11 * 60_000);
    const laterWindow = await capture(a, phone);
    const keyed = await capture(a, await daytimePhone(72), 'form-7f3a');
    for (const res of [first, otherBusiness, laterWindow, keyed]) expect(res.status).toBe(202);
    const ids = [first, otherBusiness, laterWindow, keyed].map((r) => r.body.id as string);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(V4);
    // Recomputing the old formula over the phone (or the key) finds none of them.
    const guesses = [
      ...[-1, 0, 1].flatMap((w) => [
        oldPhoneId(a.id, phone, new Date(clock.getTime() + w * WINDOW_MS)),
        oldPhoneId(b.id, phone, new Date(clock.getTime() + w * WINDOW_MS)),
        oldPhoneId(a.id, phone, new Date(clock.getTime() - 11 * 60_000 + w * WINDOW_MS)),
      ]),
      oldId(`${a.id}\nkey\nform-7f3a`),
    ];
    for (const id of ids) expect(guesses).not.toContain(id);
    // What is stored to find the same person again is a keyed hash, never the phone.
    const claims = await stack.database.db.idempotencyClaim.findMany({ where: { leadId: { in: ids } } });
    // Four captures, three live claims: the later window's capture took over the first one's expired claim.
    expect(claims).toHaveLength(3);
    for (const claim of claims) {
      expect(claim.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(claim)).not.toContain(phone.slice(2));
      expect(claim.digest).not.toBe(createHash('sha256').update(`${a.id}\nphone\n${phone}`).digest('hex'));
    }
  });

  it('keeps the duplicate window: the same phone within 10 minutes is the same lead, after it a new one', async () => {
    const phone = await daytimePhone(73);
    const business = businesses[0]!;
    clock = new Date();
    const first = await capture(business, phone);
    clock = new Date(clock.getTime() + 6 * 60_000);
    const again = await capture(business, phone);
    expect(again.body.id).toBe(first.body.id);
    clock = new Date(clock.getTime() + 5 * 60_000);
    const after = await capture(business, phone);
    expect(after.status).toBe(202);
    expect(after.body.id).not.toBe(first.body.id);
  });

  it('gives one lead and one workflow for concurrent identical captures without a key', async () => {
    const phone = await daytimePhone(74);
    clock = new Date();
    const replies = await Promise.all(Array.from({ length: 12 }, () => capture(businesses[0]!, phone)));
    expect(new Set(replies.map((r) => r.status))).toEqual(new Set([202]));
    const ids = new Set(replies.map((r) => r.body.id as string));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await stack.database.db.lead.count({ where: { businessId: businesses[0]!.id, phone } })).toBe(1);
    const runs = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId = 'lead-${id}'` })) runs.push(wf);
    expect(runs).toHaveLength(1);
  });

  it('answers another tenant’s lead id exactly as an id that does not exist', async () => {
    clock = new Date();
    const theirs = await capture(businesses[1]!, await daytimePhone(75));
    expect(theirs.status).toBe(202);
    const get = (id: string) =>
      request(stack.app).get(`/v1/leads/${id}`).set('Authorization', `Bearer ${businesses[0]!.key}`);
    const other = await get(theirs.body.id);
    const none = await get(randomUUID());
    expect(other.status).toBe(404);
    expect(none.status).toBe(404);
    expect(other.body).toEqual(none.body);
  });
});
