import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

/**
 * Issue 13, item 10: a body with bytes that are not UTF-8 was decoded with replacement
 * characters and stored ("Dana \uFFFD("). The nasty-input test meant to catch it passed
 * for another reason: superagent JSON-encodes a Buffer sent as application/json, so the
 * server received {"type":"Buffer","data":[…]} and refused its shape. These requests send
 * the bytes themselves.
 */
describe('invalid UTF-8 in JSON bodies', () => {
  let stack: Stack;
  let owner = '';
  let businessId = '';

  beforeAll(async () => {
    stack = await startStack();
    businessId = (await createBusiness(stack.database.db, { name: 'Bytes Plumbing' })).id;
    owner = (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** POSTs (or PATCHes) exactly these bytes as application/json. */
  const raw = (method: 'post' | 'patch', path: string, bytes: Buffer) =>
    request(stack.app)
      [method](path)
      .set('Authorization', `Bearer ${owner}`)
      .set('Content-Type', 'application/json')
      .serialize((b: Buffer) => b as unknown as string)
      .send(bytes);

  const json = (prefix: string, bad: number[], suffix: string) =>
    Buffer.concat([Buffer.from(prefix), Buffer.from(bad), Buffer.from(suffix)]);

  it('refuses 0xC3 0x28 in a capture with 400 naming the field, and stores nothing', async () => {
    const body = json(
      '{"name":"Dana ',
      [0xc3, 0x28],
      '","phone":"+12125550142","consent":{"text":"I agree to receive texts."}}',
    );
    // The bytes really are on the wire: not valid UTF-8, and Node would have replaced them.
    expect(body.includes(Buffer.from([0xc3, 0x28]))).toBe(true);
    const res = await raw('post', '/v1/leads', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'bad_request',
      message: 'name: is not valid UTF-8',
      details: [{ field: 'name', reason: 'is not valid UTF-8' }],
    });
    expect(await stack.database.db.lead.count({ where: { businessId } })).toBe(0);
  });

  it('the same body in valid UTF-8 is accepted and stored as sent', async () => {
    const res = await raw(
      'post',
      '/v1/leads',
      Buffer.from('{"name":"Dana Ñ(","phone":"+12125550142","consent":{"text":"I agree to receive texts."}}'),
    );
    expect(res.status).toBe(202);
    await expect
      .poll(async () => (await stack.database.db.lead.findUnique({ where: { id: res.body.id } }))?.name, {
        timeout: 15_000,
      })
      .toBe('Dana Ñ(');
  });

  it('every JSON route refuses it: business settings, the dev inbound text, the codec', async () => {
    const settings = await raw('patch', '/v1/business', json('{"name":"Rivera ', [0xff], '"}'));
    expect(settings.status).toBe(400);
    expect(settings.body.error.message).toBe('name: is not valid UTF-8');
    const inbound = await raw(
      'post',
      '/v1/dev/inbound-sms',
      json('{"from":"+12125550142","body":"hi ', [0xc0, 0xaf], '"}'),
    );
    expect(inbound.status).toBe(400);
    expect(inbound.body.error.message).toBe('body: is not valid UTF-8');
    const codec = await raw('post', '/v1/codec/decode', json('{"payloads":[', [0xfe], ']}'));
    expect(codec.status).toBe(400);
    expect(codec.body.error.message).toBe('(body): is not valid UTF-8');
    expect((await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } })).name).toBe(
      'Bytes Plumbing',
    );
  });

  it('refuses an unpaired surrogate escape (valid JSON, but no character), naming the field', async () => {
    const res = await raw(
      'post',
      '/v1/leads',
      Buffer.from('{"name":"Dana \\ud800","phone":"+12125550143","consent":{"text":"I agree to receive texts."}}'),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('name: is not valid UTF-8');
  });
});
