import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { destroyLeadDataKeys } from '../../codec/lead-data-keys';
import { withTenant } from '../../db/tenant';
import { leadWorkflowId } from '../../workflows/lead/definitions';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';

const NAME = 'Philippa Okonkwo-Larsen';
const UI = 'http://localhost:8233';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

type WirePayload = { metadata: Record<string, string>; data: string };

/** The codec-server protocol the Temporal Web UI and CLI speak (POST {endpoint}/decode, /encode). */
describe('codec endpoint for the Temporal Web UI', () => {
  let stack: Stack;
  const keys: Record<'owner' | 'operator' | 'compliance' | 'widget' | 'otherOperator', string> = {
    owner: '',
    operator: '',
    compliance: '',
    widget: '',
    otherOperator: '',
  };
  let leadId = '';
  let input: WirePayload;

  beforeAll(async () => {
    stack = await startStack();
    const db = stack.database.db;
    const business = await createBusiness(db);
    const other = await createBusiness(db);
    for (const role of ['owner', 'operator', 'compliance', 'widget'] as const) {
      keys[role] = (await withTenant(db, business.id, (tx) => createKey(tx, business.id, role, role))).key;
    }
    keys.otherOperator = (await withTenant(db, other.id, (tx) => createKey(tx, other.id, 'operator', 'other'))).key;

    const captured = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${keys.owner}`)
      .send({
        name: NAME,
        phone: await daytimePhone(61),
        message: 'gutter came loose',
        consent: { text: 'I agree to receive texts about my request.' },
      });
    expect(captured.status).toBe(202);
    leadId = captured.body.id as string;
    // Recorded by the lead's first activity (which also records its data key's claim).
    for (let i = 0; i < 300 && (await stack.database.db.lead.count({ where: { id: leadId } })) === 0; i += 1)
      await new Promise((r) => setTimeout(r, 100));

    const history = await stack.client.workflowService.getWorkflowExecutionHistory({
      namespace: stack.client.options.namespace,
      execution: { workflowId: leadWorkflowId(leadId) },
    });
    const started = history.history!.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    input = {
      metadata: Object.fromEntries(
        Object.entries(started.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(started.data!).toString('base64'),
    };
    expect(unb64(input.metadata.encoding!)).toBe('binary/encrypted');
  });
  afterAll(async () => {
    await stack?.close();
  });

  const decode = (key: string | null, payloads: WirePayload[], origin?: string) => {
    const r = request(stack.app)
      .post('/v1/codec/decode')
      .set('Content-Type', 'application/json')
      .set('X-Namespace', 'default');
    if (key) r.set('Authorization', `Bearer ${key}`);
    if (origin) r.set('Origin', origin);
    return r.send({ payloads });
  };

  it('refuses callers without a key (401) and keys of other roles (403)', async () => {
    expect((await decode(null, [input])).status).toBe(401);
    expect((await decode('lf_live_not_a_real_key', [input])).status).toBe(401);
    expect((await decode(keys.compliance, [input])).status).toBe(403);
    expect((await decode(keys.widget, [input])).status).toBe(403);
  });

  it('decodes this business’s lead for an operator, and leaves another business’s payloads encrypted', async () => {
    const res = await decode(
      keys.operator,
      [input, { metadata: { encoding: b64('json/plain') }, data: b64('{"status":"sent"}') }],
      UI,
    );
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['cache-control']).toBe('no-store');
    const [lead, plain] = res.body.payloads as WirePayload[];
    expect(unb64(lead!.metadata.encoding!)).toBe('json/plain');
    expect(JSON.parse(unb64(lead!.data))).toMatchObject({ leadId, lead: { name: NAME, message: 'gutter came loose' } });
    expect(unb64(plain!.data)).toBe('{"status":"sent"}');

    // A whole history in one call: larger than the 64 kB limit of other routes.
    const big = Array.from({ length: 40 }, () => ({
      metadata: { encoding: b64('json/plain') },
      data: b64(JSON.stringify({ filler: 'x'.repeat(3000) })),
    }));
    expect((await decode(keys.operator, [input, ...big])).status).toBe(200);

    const foreign = await decode(keys.otherOperator, [input]);
    expect(foreign.status).toBe(200);
    expect(foreign.body.payloads).toEqual([input]);
  });

  it('answers 400 naming the field for a malformed body', async () => {
    const res = await request(stack.app)
      .post('/v1/codec/decode')
      .set('Authorization', `Bearer ${keys.operator}`)
      .send({ payloads: [{ data: 'not base64!' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/payloads\.0\.data/);
  });

  it('encodes a payload of this business’s lead under its key, and refuses another business’s lead', async () => {
    const payload = {
      metadata: { encoding: b64('json/plain') },
      data: b64(
        JSON.stringify({ leadId, messageId: 'm-ui', text: 'typed in the UI', receivedAt: new Date().toISOString() }),
      ),
    };
    const res = await request(stack.app)
      .post('/v1/codec/encode')
      .set('Authorization', `Bearer ${keys.operator}`)
      .send({ payloads: [payload] });
    expect(res.status).toBe(200);
    const [encoded] = res.body.payloads as WirePayload[];
    expect(unb64(encoded!.metadata.encoding!)).toBe('binary/encrypted');
    expect(unb64(encoded!.metadata['encryption-key-id']!)).toBe(unb64(input.metadata['encryption-key-id']!));
    expect(unb64(encoded!.data)).not.toContain('typed in the UI');

    const refused = await request(stack.app)
      .post('/v1/codec/encode')
      .set('Authorization', `Bearer ${keys.otherOperator}`)
      .send({ payloads: [payload] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/payloads\.0/);
  });

  it('answers the UI’s CORS preflight for the configured origin only', async () => {
    const ok = await request(stack.app)
      .options('/v1/codec/decode')
      .set('Origin', UI)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,x-namespace');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(ok.headers['access-control-allow-methods']).toContain('POST');
    expect(ok.headers['access-control-allow-headers']).toMatch(/X-Namespace/i);
    expect(ok.headers['access-control-allow-headers']).toMatch(/Authorization/i);
    expect(ok.headers['access-control-allow-credentials']).toBe('true');

    const evil = await request(stack.app)
      .options('/v1/codec/decode')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const unauthorized = await decode(null, [input], UI);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(UI);
  });

  it('signs a browser in for the Temporal UI with a cookie that only the codec endpoint accepts', async () => {
    // The page a person uses, with its script as a separate file (strict CSP).
    const page = await request(stack.app).get('/codec-login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/codec-login.js"></script>');
    expect(page.text).toContain('Include cross-origin credentials');
    expect((await request(stack.app).get('/codec-login.js')).headers['content-type']).toMatch(/javascript/);

    expect(
      (await request(stack.app).post('/v1/codec/session').set('Authorization', `Bearer ${keys.compliance}`)).status,
    ).toBe(403);
    const signedIn = await request(stack.app).post('/v1/codec/session').set('Authorization', `Bearer ${keys.operator}`);
    expect(signedIn.status).toBe(200);
    const setCookie = String(signedIn.headers['set-cookie']);
    // A session token, never the key itself (test/security/codec-session.test.ts).
    expect(setCookie).toMatch(
      /^leadflow_codec_session=[A-Za-z0-9_-]{43}; Path=\/v1\/codec; Max-Age=28800; HttpOnly; SameSite=Strict/,
    );
    expect(setCookie).not.toContain(keys.operator);
    const cookie = setCookie.split(';')[0]!;

    // The UI's call: no Authorization header, the cookie, its origin.
    const decoded = await request(stack.app)
      .post('/v1/codec/decode')
      .set('Content-Type', 'application/json')
      .set('Origin', UI)
      .set('Cookie', cookie)
      .send({ payloads: [input] });
    expect(decoded.status).toBe(200);
    expect(decoded.headers['access-control-allow-credentials']).toBe('true');
    expect(unb64(decoded.body.payloads[0].data)).toContain(NAME);

    // The cookie is no key anywhere else.
    expect((await request(stack.app).get('/v1/leads').set('Cookie', cookie)).status).toBe(401);
    // Signing out clears it.
    const out = await request(stack.app).delete('/v1/codec/session').set('Cookie', cookie);
    expect(out.status).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(/^leadflow_codec_session=; Path=\/v1\/codec; Max-Age=0/);
    // Without any credential the UI's call is refused.
    expect(
      (
        await request(stack.app)
          .post('/v1/codec/decode')
          .set('Content-Type', 'application/json')
          .set('Origin', UI)
          .send({ payloads: [input] })
      ).status,
    ).toBe(401);
  });

  it('leaves an erased lead’s payloads encrypted once its key is destroyed', async () => {
    await stack.client.workflow.getHandle(leadWorkflowId(leadId)).terminate('erased');
    expect(await destroyLeadDataKeys(stack.database.appDb, leadId)).toBe(1);
    const res = await decode(keys.operator, [input]);
    expect(res.status).toBe(200);
    expect(res.body.payloads).toEqual([input]);
    expect(JSON.stringify(res.body)).not.toContain(NAME);
  });
});
