import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { operationsOf } from '../../scripts/fuzz-contract';
import { NOT_UUIDS, probeCorpus, probeMismatch } from '../../scripts/fuzz-corpus';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

/**
 * A hand-kept corpus of hostile and odd inputs, each with the status it must get. Every
 * answer is either a success or the documented error shape; none is a 500, none echoes a
 * stack trace, and none repeats the personal data it was sent.
 */

const CONSENT = { text: 'You agree to receive texts about your request. Reply STOP to opt out.' };
const lead = (over: Record<string, unknown> = {}) => ({
  name: 'Dana Rivera',
  phone: '+12125550142',
  consent: CONSENT,
  ...over,
});

interface Case {
  name: string;
  /** Raw body as sent; objects are sent as JSON. */
  body: string | Buffer | object;
  contentType?: string;
  status: number;
  /** For a 400: the field the message must name. */
  field?: string;
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

/**
 * Bytes go out as they are. superagent JSON-encodes anything that is not a string when the
 * content type is JSON, a Buffer included ({"type":"Buffer","data":[…]}): without this the
 * invalid UTF-8 case sent valid JSON of another shape, and its 400 said nothing about UTF-8.
 */
const sendBody = (req: request.Test, body: string | Buffer) =>
  Buffer.isBuffer(body) ? req.serialize((bytes: Buffer) => bytes as unknown as string).send(body) : req.send(body);

const CAPTURE_CASES: Case[] = [
  // Sizes and shapes
  {
    name: 'a 10 MB body',
    body: JSON.stringify(lead({ message: 'x'.repeat(10 * 1024 * 1024) })),
    contentType: 'application/json',
    status: 413,
  },
  {
    name: 'a body just over the limit',
    body: JSON.stringify(lead({ message: 'x'.repeat(70_000) })),
    contentType: 'application/json',
    status: 413,
  },
  { name: 'JSON nested 5,000 deep', body: deep(5000), contentType: 'application/json', status: 400 },
  {
    name: 'an object nested 200 deep in a field',
    body: JSON.stringify(lead({ name: JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200)) })),
    contentType: 'application/json',
    status: 400,
    field: 'name',
  },
  { name: 'a JSON array', body: '[1,2,3]', contentType: 'application/json', status: 400 },
  { name: 'JSON null', body: 'null', contentType: 'application/json', status: 400 },
  { name: 'a JSON string', body: '"hello"', contentType: 'application/json', status: 400 },
  { name: 'truncated JSON', body: '{"name": "Dana', contentType: 'application/json', status: 400 },
  { name: 'an empty body', body: '', contentType: 'application/json', status: 400 },
  {
    name: 'a __proto__ key',
    body: `{"__proto__": {"admin": true}, "name": "Dana", "phone": "+12125550142", "consent": {"text": "ok"}}`,
    contentType: 'application/json',
    status: 400,
  },
  { name: 'an unknown field', body: lead({ role: 'owner' }), status: 400 },
  // Content types and encodings
  { name: 'text/plain', body: JSON.stringify(lead()), contentType: 'text/plain', status: 415 },
  {
    name: 'form encoding',
    body: 'name=Dana&phone=%2B12125550142',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
  },
  {
    name: 'multipart',
    body: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nDana\r\n--x--',
    contentType: 'multipart/form-data; boundary=x',
    status: 415,
  },
  { name: 'XML', body: '<lead><name>Dana</name></lead>', contentType: 'application/xml', status: 415 },
  {
    name: 'JSON declared as latin-1',
    body: JSON.stringify(lead()),
    contentType: 'application/json; charset=latin1',
    status: 415,
  },
  {
    name: 'invalid UTF-8 bytes in a string',
    body: Buffer.concat([
      Buffer.from('{"name":"Dana '),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('","phone":"+12125550142","consent":{"text":"ok"}}'),
    ]),
    contentType: 'application/json',
    status: 400,
    field: 'name',
  },
  {
    name: 'invalid UTF-8 in a nested field',
    body: Buffer.concat([
      Buffer.from('{"name":"Dana","phone":"+12125550142","consent":{"text":"ok '),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}}'),
    ]),
    contentType: 'application/json',
    status: 400,
    field: 'consent.text',
  },
  {
    name: 'an unpaired surrogate escape in the message',
    body: '{"name":"Dana","phone":"+12125550142","message":"hi \\udc00","consent":{"text":"ok"}}',
    contentType: 'application/json',
    status: 400,
    field: 'message',
  },
  {
    name: 'a UTF-16 byte-order mark',
    body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(lead()), 'utf16le')]),
    contentType: 'application/json',
    status: 400,
  },
  // Control characters, injection strings
  { name: 'a NUL in the name', body: lead({ name: 'Dana\u0000Rivera' }), status: 400, field: 'name' },
  {
    name: 'an escape sequence in the message',
    body: lead({ message: 'hi \u001b[31mred' }),
    status: 400,
    field: 'message',
  },
  { name: 'a bell and backspace in the name', body: lead({ name: 'Da\u0007na\u0008' }), status: 400, field: 'name' },
  { name: 'a name of only spaces', body: lead({ name: '    ' }), status: 400, field: 'name' },
  { name: 'a number as the name', body: lead({ name: 42 }), status: 400, field: 'name' },
  { name: 'a missing consent', body: { name: 'Dana', phone: '+12125550142' }, status: 400, field: 'consent' },
  { name: 'consent text of only whitespace', body: lead({ consent: { text: '   ' } }), status: 400, field: 'consent' },
  {
    name: 'a javascript: page URL',
    body: lead({ consent: { ...CONSENT, pageUrl: 'javascript:alert(1)' } }),
    status: 400,
    field: 'consent',
  },
  {
    name: 'an email with a newline (header injection)',
    body: lead({ email: 'dana@example.com\nBcc: x@example.com' }),
    status: 400,
    field: 'email',
  },
  {
    name: 'a consent time that is not a time',
    body: lead({ consent: { ...CONSENT, at: 'yesterday' } }),
    status: 400,
    field: 'consent',
  },
];

/** Phone numbers of every shape: accepted ones are stored as E.164. */
const PHONES: Array<{ raw: string; e164?: string }> = [
  { raw: '(212) 555-0142', e164: '+12125550142' },
  { raw: '212.555.0142', e164: '+12125550142' },
  { raw: '+1 212 555 0142', e164: '+12125550142' },
  { raw: '1-212-555-0142', e164: '+12125550142' },
  { raw: '+44 20 7946 0958', e164: '+442079460958' },
  { raw: '00 44 20 7946 0958' },
  { raw: '+1 (212) 555-0142 ext. 7', e164: '+12125550142' },
  { raw: '٢١٢٥٥٥٠١٤٢', e164: '+12125550142' },
  { raw: '' },
  { raw: '12345' },
  { raw: '+1 000 000 0000' },
  { raw: 'call me maybe' },
  { raw: '+999 1234 5678' },
  { raw: '1'.repeat(41) },
  { raw: "+12125550142' OR '1'='1" },
  // Full-width digits are digits (phones on some keyboards type them).
  { raw: '+1212555014２', e164: '+12125550142' },
];

describe('nasty input: a corpus of hostile and odd requests, each with its expected answer', () => {
  let stack: Stack;
  let ownerKey = '';

  beforeAll(async () => {
    stack = await startStack();
    const business = await createBusiness(stack.database.db, { name: 'Rivera Plumbing' });
    ownerKey = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'o'))).key;
  });
  afterAll(async () => {
    await stack?.close();
  });

  function expectErrorShape(res: request.Response, sent: string) {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      error: {
        code: expect.any(String),
        message: expect.any(String),
        ...(res.body.error?.details !== undefined ? { details: res.body.error.details } : {}),
      },
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/at .+\.(ts|js):\d+|node_modules|Prisma|SELECT /);
    // Bad input is named, never repeated back: the message does not echo the sent values.
    for (const secret of ['Dana', '5550142', '7946']) if (sent.includes(secret)) expect(text).not.toContain(secret);
  }

  it.each(CAPTURE_CASES)('capture with $name → $status', async ({ body, contentType, status, field }) => {
    let req = request(stack.app).post('/v1/leads').set('Authorization', `Bearer ${ownerKey}`);
    if (contentType) req = req.set('Content-Type', contentType);
    const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    if (!contentType) req = req.set('Content-Type', 'application/json');
    const res = await sendBody(req, raw);
    expect(res.status).toBe(status);
    expectErrorShape(res, Buffer.isBuffer(raw) ? raw.toString('latin1') : raw);
    if (field) expect(res.body.error.message).toContain(field);
  });

  it('stores SQL and script injection strings, emoji and right-to-left text literally', async () => {
    const names = [
      "Robert'); DROP TABLE leads;--",
      '<script>alert(1)</script>',
      'Zoë 🔧🚿 Núñez',
      'דנה ריברה',
      '‮evil‬ name',
      'O\'Brien "the plumber"',
    ];
    for (const [i, name] of names.entries()) {
      const message = `${name} — needs a plumber 🚰 ${i}`;
      const res = await request(stack.app)
        .post('/v1/leads')
        .set('Authorization', `Bearer ${ownerKey}`)
        .send(lead({ name, message, phone: `+1212555${String(1000 + i)}` }));
      expect(res.status).toBe(202);
      const got = await request(stack.app).get(`/v1/leads/${res.body.id}`).set('Authorization', `Bearer ${ownerKey}`);
      // The API answers JSON (never HTML), so the script is data, not code.
      expect(got.headers['content-type']).toMatch(/^application\/json/);
      await expect
        .poll(
          async () =>
            (await request(stack.app).get(`/v1/leads/${res.body.id}`).set('Authorization', `Bearer ${ownerKey}`)).body
              .name,
          { timeout: 15_000 },
        )
        .toBe(name);
    }
    expect(await stack.database.db.lead.count()).toBeGreaterThanOrEqual(names.length);
  });

  it.each(PHONES)('phone "$raw" → $e164', async ({ raw, e164 }) => {
    const res = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${ownerKey}`)
      .send(lead({ phone: raw }));
    if (e164) {
      expect(res.status).toBe(202);
      await expect
        .poll(async () => (await stack.database.db.lead.findUnique({ where: { id: res.body.id } }))?.phone, {
          timeout: 15_000,
        })
        .toBe(e164);
    } else {
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('phone');
      expectErrorShape(res, raw);
    }
  });

  it('answers odd paths, queries and headers with 4xx in the error shape', async () => {
    const auth = { Authorization: `Bearer ${ownerKey}` };
    const cases: Array<{ path: string; status: number; headers?: Record<string, string> }> = [
      { path: '/v1/leads/not-a-uuid', status: 404 },
      { path: '/v1/leads/%00', status: 404 },
      { path: '/v1/leads/%E0%A4%A', status: 400 },
      { path: `/v1/leads/${'a'.repeat(5000)}`, status: 404 },
      { path: '/v1/leads?limit=-1', status: 400 },
      { path: '/v1/leads?limit=abc', status: 400 },
      { path: '/v1/leads?limit=1e9', status: 400 },
      { path: '/v1/leads?cursor=%27%3B--', status: 400 },
      { path: '/v1/leads?status=everything', status: 400 },
      { path: '/v1/leads?limit=1&limit=2', status: 400 },
      { path: '/v1/nowhere', status: 404 },
      { path: '/v1/leads', status: 401, headers: { Authorization: 'Bearer lf_live_' + 'x'.repeat(4000) } },
      { path: '/v1/leads', status: 401, headers: { Authorization: 'Basic Zm9vOmJhcg==' } },
    ];
    for (const c of cases) {
      const res = await request(stack.app)
        .get(c.path)
        .set(c.headers ?? auth);
      expect({ path: c.path.slice(0, 60), status: res.status }).toEqual({
        path: c.path.slice(0, 60),
        status: c.status,
      });
      expectErrorShape(res, c.path);
    }
    const badKey = await request(stack.app)
      .post('/v1/leads')
      .set(auth)
      .set('Idempotency-Key', 'k'.repeat(300))
      .send(lead());
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.message).toMatch(/idempotency-key/i);
  });

  it('answers every probe of the corpus (ids, cursors, dates, codec key ids, bytes) with its 4xx, never a 5xx', async () => {
    const probes = probeCorpus(operationsOf((await request(stack.app).get('/openapi.json')).body));
    // The probe's own shapes are all there: the revoke, retention-run, legal-hold and lead routes, both cursors, analytics.
    const names = probes.map((p) => p.name);
    for (const op of [
      'DELETE /v1/api-keys/{id}',
      'GET /v1/compliance/retention-runs/{id}',
      'PUT /v1/leads/{id}/legal-hold',
      'DELETE /v1/leads/{id}/legal-hold',
      'GET /v1/leads/{id}',
      'GET /v1/privacy/requests/{id}',
    ])
      expect(names).toContain(`${op} with id "${NOT_UUIDS[0]}"`);
    for (const op of ['GET /v1/leads', 'GET /v1/privacy/requests']) expect(names).toContain(`${op} with bad cursor #1`);
    expect(names).toContain('analytics from 9999-12-31 to 9999-12-31');
    expect(names).toContain('codec decode of an encrypted payload with no key id');

    const mismatches: string[] = [];
    for (const probe of probes) {
      let req = (request(stack.app) as unknown as Record<string, (path: string) => request.Test>)[
        probe.method.toLowerCase()
      ]!(probe.path).set('Authorization', `Bearer ${ownerKey}`);
      if (probe.body !== undefined) req = req.set('Content-Type', 'application/json');
      const res =
        probe.body === undefined
          ? await req
          : await sendBody(req, Buffer.isBuffer(probe.body) ? probe.body : JSON.stringify(probe.body));
      const mismatch = probeMismatch({ probe, status: res.status, text: res.text });
      if (mismatch) mismatches.push(mismatch);
    }
    expect(mismatches).toEqual([]);
    // Nothing the corpus sent was stored with replacement characters.
    expect(await stack.database.db.lead.count({ where: { name: { contains: '\uFFFD' } } })).toBe(0);
  });
});
