import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createKey } from '../../services/api-keys/create-api-key';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const CONSENT = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
type WirePayload = { metadata: Record<string, string>; data: string };

/** Issue 13, item 5: after an erasure the person is new, and nothing decodes or re-keys the erased lead. */
describe('an erased lead', () => {
  let stack: Stack;
  const mine = { id: '', owner: '' };
  const theirs = { id: '', owner: '' };

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    for (const business of [mine, theirs]) {
      business.id = (await createBusiness(stack.database.db)).id;
      business.owner = (
        await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))
      ).key;
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  const api = (key = mine.owner) => ({
    capture: (name: string, phone: string) =>
      request(stack.app)
        .post('/v1/leads')
        .set('Authorization', `Bearer ${key}`)
        .send({ name, phone, consent: CONSENT }),
    get: (id: string) => request(stack.app).get(`/v1/leads/${id}`).set('Authorization', `Bearer ${key}`),
    decode: (payloads: WirePayload[]) =>
      request(stack.app).post('/v1/codec/decode').set('Authorization', `Bearer ${key}`).send({ payloads }),
    encode: (payloads: WirePayload[]) =>
      request(stack.app).post('/v1/codec/encode').set('Authorization', `Bearer ${key}`).send({ payloads }),
  });

  async function capturedAndContacted(name: string, phone: string): Promise<string> {
    const res = await api().capture(name, phone);
    expect(res.status).toBe(202);
    const leadId = res.body.id as string;
    await expect
      .poll(() => stack.database.db.message.count({ where: { leadId, direction: 'outbound' } }), { timeout: 30_000 })
      .toBe(1);
    return leadId;
  }

  async function erase(leadId: string) {
    const opened = await request(stack.app)
      .post('/v1/privacy/requests')
      .set('Authorization', `Bearer ${mine.owner}`)
      .send({ type: 'deletion', leadId, verification: { method: 'business_confirmation' } });
    expect(opened.status).toBe(202);
    await expect
      .poll(
        async () =>
          (await stack.database.db.privacyRequest.findUniqueOrThrow({ where: { id: opened.body.id as string } }))
            .status,
        { timeout: 60_000 },
      )
      .toBe('completed');
  }

  /** The encrypted start payload of the lead's workflow, as the Temporal UI would send it to decode. */
  async function startPayload(leadId: string): Promise<WirePayload> {
    const history = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.client.options.namespace,
      execution: { workflowId: leadWorkflowId(leadId) },
    });
    const p = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    return {
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data!).toString('base64'),
    };
  }

  it('captures the erased person again within the duplicate window as a new lead', async () => {
    const phone = await daytimePhone(81);
    const erased = await capturedAndContacted('Marguerite Oyelaran-Pike', phone);
    await erase(erased);

    const again = await api().capture('Marguerite Oyelaran-Pike', phone);
    expect(again.status).toBe(202);
    expect(again.body.id).not.toBe(erased);
    const lead = await api().get(again.body.id as string);
    expect(lead.status).toBe(200);
    expect(lead.body).toMatchObject({ name: 'Marguerite Oyelaran-Pike', phone });
    await expect
      .poll(
        () => stack.database.db.message.count({ where: { leadId: again.body.id as string, direction: 'outbound' } }),
        {
          timeout: 30_000,
        },
      )
      .toBe(1);
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: erased } })).status).toBe('erased');
    // Nothing that finds the person again is left about the erased lead.
    expect(await stack.database.db.idempotencyClaim.count({ where: { leadId: erased } })).toBe(0);
  }, 120_000);

  it('refuses to encode for an erased lead, and never files a key under a business named in the payload', async () => {
    const erased = await capturedAndContacted('Theodora Vasquez-Lindqvist', await daytimePhone(82));
    await erase(erased);
    const crafted = {
      metadata: { encoding: b64('json/plain') },
      data: b64(JSON.stringify({ leadId: erased, businessId: theirs.id, note: 'crafted' })),
    };
    const encoded = await api().encode([crafted]);
    expect(encoded.status).toBe(400);
    expect(encoded.body.error.details).toEqual([{ field: 'payloads.0', reason: expect.stringContaining('erased') }]);
    expect(await stack.database.db.leadDataKey.count({ where: { businessId: theirs.id } })).toBe(0);
    expect(await stack.database.db.leadDataKey.count({ where: { leadId: erased, destroyedAt: null } })).toBe(0);
  }, 120_000);

  it('files the key of an encode under the caller’s business whatever the payload says', async () => {
    const lead = await capturedAndContacted('Ingeborg Achterberg-Nwosu', await daytimePhone(83));
    const crafted = {
      metadata: { encoding: b64('json/plain') },
      data: b64(JSON.stringify({ leadId: lead, businessId: theirs.id, note: 'crafted' })),
    };
    const encoded = await api().encode([crafted]);
    expect(encoded.status).toBe(200);
    expect(await stack.database.db.leadDataKey.count({ where: { businessId: theirs.id } })).toBe(0);
    // The other business cannot read it; this one can.
    const byThem = await api(theirs.owner).decode(encoded.body.payloads);
    expect(byThem.status).toBe(200);
    expect(unb64(byThem.body.payloads[0].data)).not.toContain('crafted');
    expect(unb64((await api().decode(encoded.body.payloads)).body.payloads[0].data)).toContain('crafted');
  }, 120_000);

  it('stops decoding at once when another process destroys the keys (no cached key decodes)', async () => {
    const leadId = await capturedAndContacted('Rosalind Abernathy-Quispe', await daytimePhone(84));
    const payload = await startPayload(leadId);
    // This process decodes it, so it holds the unwrapped key in memory.
    const before = await api().decode([payload]);
    expect(before.status).toBe(200);
    expect(unb64(before.body.payloads[0].data)).toContain('Rosalind Abernathy-Quispe');
    // Another process's erasure: only the database says so.
    await stack.database.db.leadDataKey.updateMany({
      where: { leadId },
      data: { wrappedKey: null, destroyedAt: new Date() },
    });
    const after = await api().decode([payload]);
    expect(after.status).toBe(200);
    expect(after.body.payloads[0]).toEqual(payload);
    expect(unb64(after.body.payloads[0].data)).not.toContain('Rosalind');
    await stack.client.workflow.getHandle(leadWorkflowId(leadId)).terminate('test done');
  }, 120_000);
});
