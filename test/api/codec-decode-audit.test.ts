import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tenant';
import { createKey } from '../../services/api-keys/create-api-key';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
type WirePayload = { metadata: Record<string, string>; data: string };

/** Decoding a workflow payload shows a person's name, phone and message: it is a read, and audited as one. */
describe('POST /v1/codec/decode is audited', () => {
  let stack: Stack;
  let operatorKey = '';
  let operatorKeyId = '';
  let otherKey = '';
  let businessId = '';
  let leadId = '';
  let encrypted: WirePayload;

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const business = await createBusiness(db);
    const other = await createBusiness(db);
    businessId = business.id;
    const owner = await withTenant(db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'));
    const operator = await withTenant(db, business.id, (tx) => createKey(tx, business.id, 'operator', 'op'));
    operatorKey = operator.key;
    operatorKeyId = operator.id;
    otherKey = (await withTenant(db, other.id, (tx) => createKey(tx, other.id, 'operator', 'other'))).key;
    const captured = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${owner.key}`)
      .send({ name: 'Philippa Okonkwo-Larsen', phone: await daytimePhone(71), consent: { text: 'I agree.' } });
    expect(captured.status).toBe(202);
    leadId = captured.body.id as string;
    const history = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.client.options.namespace,
      execution: { workflowId: leadWorkflowId(leadId) },
    });
    const started = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    encrypted = {
      metadata: Object.fromEntries(
        Object.entries(started.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(started.data!).toString('base64'),
    };
  });
  afterAll(async () => {
    await stack?.close();
  });

  const decode = (key: string, payloads: WirePayload[]) =>
    request(stack.app)
      .post('/v1/codec/decode')
      .set('Authorization', `Bearer ${key}`)
      .set('X-Forwarded-For', '203.0.113.80')
      .send({ payloads });
  const auditRows = () =>
    stack.database.db.auditLog.findMany({
      where: { businessId, entity: 'lead', action: 'read' },
      orderBy: { id: 'asc' },
    });

  it('records who read which lead, from where, once per lead per call', async () => {
    const before = (await auditRows()).length;
    const res = await decode(operatorKey, [encrypted, encrypted]);
    expect(res.status).toBe(200);
    expect(Buffer.from(res.body.payloads[0].data, 'base64').toString()).toContain('Philippa Okonkwo-Larsen');
    const rows = (await auditRows()).slice(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorKeyId: operatorKeyId,
      actorRole: 'operator',
      action: 'read',
      entity: 'lead',
      entityId: leadId,
      ip: '203.0.113.80',
    });
  });

  it('records nothing when nothing was decrypted', async () => {
    const before = await stack.database.db.auditLog.count();
    const plain = { metadata: { encoding: b64('json/plain') }, data: b64('{"status":"sent"}') };
    expect((await decode(operatorKey, [plain])).status).toBe(200);
    // Another business's key: its payloads come back encrypted, and nothing was read.
    const foreign = await decode(otherKey, [encrypted]);
    expect(foreign.status).toBe(200);
    expect(foreign.body.payloads[0]).toEqual(encrypted);
    expect(await stack.database.db.auditLog.count()).toBe(before);
  });
});
