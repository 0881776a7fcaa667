import { isErrorShape, type Operation } from './fuzz-contract';

/**
 * Hand-made probes that generated input does not reach: schemathesis builds values from
 * the document, so a path id documented as a UUID is always one, a cursor is a random
 * string (never valid base64 of a time and an id), two dates are never both near year
 * 9999 and a day apart, a codec payload never carries the encrypted marker without a key
 * id, and every body is valid UTF-8. Each probe comes from a black-box probe of a running
 * leadflow; the ones per route are derived from the served document, so a new route with
 * an id or a cursor is probed too. `npm run test:fuzz` replays them against its stack and
 * test/api/nasty-inputs.test.ts against the test stack.
 */

export interface Probe {
  /** The document's operation it probes, e.g. "GET /v1/leads/{id}". */
  operation: string;
  name: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  path: string;
  /** JSON (an object) or raw bytes (a Buffer) sent as application/json. */
  body?: object | Buffer;
  /** The answer it must get (always a 4xx in the error shape). */
  status: number;
  /** For a 400: the field the message must name. */
  field?: string;
}

/** Strings that look like ids to a lax check (36 characters, dashes) but are not UUIDs. */
export const NOT_UUIDS = [
  '-'.repeat(36),
  'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
  '3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d-',
  '3f2a8c1e9b4d4e7a8c215d6f7a8b9c0d0000',
  'not-a-uuid',
  'a'.repeat(600),
];

const A_UUID = '3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d';
const cursorOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** Cursors shaped like the API's own (time|id) with one part out of bounds. */
export const BAD_CURSORS = [
  cursorOf(`2026-01-01T00:00:00.000Z|${'-'.repeat(36)}`),
  cursorOf(`2026-01-01T00:00:00.000Z|not-a-uuid`),
  cursorOf(`+275760-09-13T00:00:00.000Z|${A_UUID}`),
  cursorOf(`9999-12-31T23:59:59.999Z|${A_UUID}`),
  cursorOf(`0001-01-01T00:00:00.000Z|${A_UUID}`),
  cursorOf(`2026-01-01T00:00:00.000Z|${A_UUID}|extra`),
  cursorOf(`2026-01-01T00:00:00.000Z|${A_UUID}\u0000`),
];

const base64 = (text: string) => Buffer.from(text).toString('base64');
const encryptedPayload = (metadata: Record<string, string>) => ({
  payloads: [{ metadata: { encoding: base64('binary/encrypted'), ...metadata }, data: base64('not really sealed') }],
});

/** An operation the owner key may call (the probes run with one): its checks run past the role check. */
const ownerMay = (op: Operation) => op.security.includes('apiKey') && op.roles.includes('owner');

export function probeCorpus(ops: Operation[]): Probe[] {
  const probes: Probe[] = [];
  const named = new Map(ops.map((op) => [op.name, op]));
  // Every id in a path: not a UUID → 404, as for an id that does not exist.
  for (const op of ops.filter((o) => o.params > 0 && ownerMay(o))) {
    const template = op.name.slice(op.method.length + 1);
    for (const id of NOT_UUIDS) {
      probes.push({
        operation: op.name,
        name: `${op.name} with id "${id.slice(0, 40)}"`,
        method: op.method,
        path: template.replace(/\{\w+\}/g, encodeURIComponent(id)),
        status: 404,
      });
    }
  }
  // Every cursor: out-of-bounds parts → 400 naming the cursor.
  for (const op of ops.filter((o) => o.method === 'GET' && o.query.includes('cursor') && ownerMay(o))) {
    for (const [i, cursor] of BAD_CURSORS.entries()) {
      probes.push({
        operation: op.name,
        name: `${op.name} with bad cursor #${i + 1}`,
        method: 'GET',
        path: `${op.name.slice(4)}?cursor=${cursor}`,
        status: 400,
        field: 'cursor',
      });
    }
  }
  if (named.has('GET /v1/analytics')) {
    const days: Array<[string, string, string]> = [
      ['9999-12-31', '9999-12-31', 'from'],
      ['2099-12-31', '2100-01-01', 'to'],
      ['1999-12-31', '2000-01-01', 'from'],
      ['0001-01-01', '0001-01-01', 'from'],
      ['2026-03-02', '2026-03-01', 'from'],
      ['2024-01-01', '2026-01-01', 'from'],
    ];
    for (const [from, to, field] of days)
      probes.push({
        operation: 'GET /v1/analytics',
        name: `analytics from ${from} to ${to}`,
        method: 'GET',
        path: `/v1/analytics?from=${from}&to=${to}`,
        status: 400,
        field,
      });
  }
  if (named.has('POST /v1/codec/decode')) {
    const keyIds: Array<[string, Record<string, string>]> = [
      ['no key id', {}],
      ['an empty key id', { 'encryption-key-id': '' }],
      ['a key id of 36 dashes', { 'encryption-key-id': base64('-'.repeat(36)) }],
      ['a key id that is not a UUID', { 'encryption-key-id': base64("x' OR '1'='1") }],
    ];
    for (const [what, metadata] of keyIds)
      probes.push({
        operation: 'POST /v1/codec/decode',
        name: `codec decode of an encrypted payload with ${what}`,
        method: 'POST',
        path: '/v1/codec/decode',
        body: encryptedPayload(metadata),
        status: 400,
        field: 'payloads.0',
      });
  }
  if (named.has('POST /v1/leads')) {
    const lead = (name: Buffer) =>
      Buffer.concat([
        Buffer.from('{"name":"'),
        name,
        Buffer.from('","phone":"+12125550142","consent":{"text":"I agree to receive texts."}}'),
      ]);
    probes.push(
      {
        operation: 'POST /v1/leads',
        name: 'a capture whose name holds invalid UTF-8 (0xC3 0x28)',
        method: 'POST',
        path: '/v1/leads',
        body: lead(Buffer.from([0x44, 0x61, 0x6e, 0x61, 0x20, 0xc3, 0x28])),
        status: 400,
        field: 'name',
      },
      {
        operation: 'POST /v1/leads',
        name: 'a capture whose name holds a lone 0xFF byte',
        method: 'POST',
        path: '/v1/leads',
        body: lead(Buffer.from([0x44, 0xff, 0x61])),
        status: 400,
        field: 'name',
      },
      {
        operation: 'POST /v1/leads',
        name: 'a capture whose name holds an overlong encoding of "/" (0xC0 0xAF)',
        method: 'POST',
        path: '/v1/leads',
        body: lead(Buffer.from([0x44, 0xc0, 0xaf])),
        status: 400,
        field: 'name',
      },
      {
        operation: 'POST /v1/leads',
        name: 'a capture whose name holds an unpaired surrogate escape',
        method: 'POST',
        path: '/v1/leads',
        body: lead(Buffer.from('Dana \\ud800 Rivera')),
        status: 400,
        field: 'name',
      },
    );
  }
  return probes;
}

export interface ProbeResult {
  probe: Probe;
  status: number;
  text: string;
}

/** What is wrong with an answer to a probe, or null: its status, the error shape, the field named. */
export function probeMismatch({ probe, status, text }: ProbeResult): string | null {
  if (status !== probe.status) return `${probe.name}: answered ${status}, expected ${probe.status}`;
  if (!isErrorShape(text)) return `${probe.name}: answered ${status} without the error shape`;
  if (probe.field) {
    const message = (JSON.parse(text) as { error: { message: string } }).error.message;
    if (!message.includes(probe.field)) return `${probe.name}: the message does not name ${probe.field}`;
  }
  return null;
}

/** Sends every probe to a running API with fetch (the fuzz run's stack) and answers each result. */
export async function replayProbes(baseUrl: string, key: string, probes: Probe[]): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const probe of probes) {
    const body =
      probe.body === undefined ? undefined : Buffer.isBuffer(probe.body) ? probe.body : JSON.stringify(probe.body);
    const res = await fetch(new URL(probe.path, baseUrl), {
      method: probe.method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
    });
    results.push({ probe, status: res.status, text: await res.text() });
  }
  return results;
}
