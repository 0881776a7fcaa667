import type { RequestHandler } from 'express';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { createCodecSession, revokeCodecSession } from '../../codec/codec-sessions';
import { DataKeyUnavailableError } from '../../codec/lead-data-keys';
import { ENCODING_ENCRYPTED, leadOf, LeadPayloadCodec, METADATA_KEY_ID } from '../../codec/lead-payload-codec';
import { withTenant } from '../../db/tenant';
import { isUuid } from '../../domain/ids';
import { CODEC_SESSION_COOKIE, codecSessionKey } from '../auth/authenticate';
import { audit } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';

/**
 * The Temporal codec-server protocol for the Web UI and the CLI (`--codec-endpoint`):
 * POST {endpoint}/decode and /encode with `{ payloads: [{ metadata: {k: base64}, data: base64 }] }`
 * (proto3 JSON), answered in the same shape. Decoding shows a lead's personal data, so
 * only owner and operator keys may call it, and only for their own business's leads.
 */
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const ZPayloadSchema = z
  .object({
    metadata: z.record(z.string(), base64).optional(),
    data: base64.optional(),
  })
  .openapi('CodecPayload');
const ZPayloadsSchema = z
  .object({ payloads: z.array(ZPayloadSchema).max(1000, 'at most 1000 payloads per call') })
  .openapi('CodecPayloads');
const ZCodecHeadersSchema = z.object({ 'x-namespace': z.string().optional() });

type WirePayload = z.infer<typeof ZPayloadSchema>;

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
  ),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';

/** How long a browser sign-in for the Temporal UI lasts: one working shift. */
const SESSION_SECONDS = 8 * 3600;

const ZSessionSchema = z.object({ expiresAt: z.iso.datetime() }).openapi('CodecSession');

/**
 * CORS for the Temporal Web UI's origins only, on every answer (a 401 included, so the UI
 * can show why). The UI may send credentials ("include cross-origin credentials").
 */
export function codecCors(origins: string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'POST');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
    }
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

export function codecRoutes(deps: ApiDeps) {
  /** The caller's business is the only one: a key it makes is filed under it, whatever a payload says. */
  const codecFor = (businessId: string) => {
    if (!deps.leadCodec)
      throw new AppError('unavailable', 'payload encryption is not configured (ENCRYPTION_KEY)', null, 60);
    // Destroyed keys (erased leads) leave their payloads encrypted: the rest of the history still shows.
    return new LeadPayloadCodec({ keys: deps.leadCodec.keys, onDestroyedKey: 'keep', businessId });
  };
  const keyIdOf = (p: Payload) =>
    Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString() === ENCODING_ENCRYPTED
      ? Buffer.from(p.metadata?.[METADATA_KEY_ID] ?? new Uint8Array()).toString()
      : null;

  /**
   * Every key a call names, as the database has it now (not this process's cache): whose it
   * is, and whether an erasure destroyed it, in any process, a moment ago.
   */
  const keyStatesOf = async (keyIds: string[]) => {
    try {
      return await deps.leadCodec!.keys.keyStates([...new Set(keyIds.filter(isUuid))]);
    } catch (err) {
      if (err instanceof DataKeyUnavailableError)
        throw new AppError('unavailable', 'the database is unavailable; retry shortly', null, 5);
      throw err;
    }
  };

  return [
    defineRoute({
      method: 'post',
      path: '/v1/codec/session',
      tag: 'Codec',
      summary: 'Sign this browser in for the Temporal Web UI’s codec calls',
      description:
        'Roles: owner, operator. Answers with an HttpOnly, SameSite=Strict cookie holding a random session token (never the API key; stored hashed), sent only to /v1/codec, for 8 hours or until signed out or the key is revoked. In the Temporal UI’s codec settings, tick “Include cross-origin credentials”. The page at /codec-login does this for a person.',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      body: z.strictObject({}).optional(),
      responses: { 200: { description: 'Signed in', schema: ZSessionSchema } },
      handler: async ({ req, auth }) => {
        // A codec session stands for an API key (revoking the key ends it); a person's app session is no key.
        if (auth.via === 'session')
          throw new AppError('forbidden', 'sign the Temporal UI in with an API key (the page at /codec-login)');
        const { token, expiresAt } = await createCodecSession(deps.db, {
          businessId: auth.businessId,
          apiKeyId: auth.keyId,
          now: deps.now(),
          ttlMs: SESSION_SECONDS * 1000,
        });
        const secure = req.secure ? '; Secure' : '';
        return {
          status: 200,
          body: { expiresAt: expiresAt.toISOString() },
          headers: {
            'Set-Cookie': `${CODEC_SESSION_COOKIE}=${token}; Path=/v1/codec; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure}`,
            'Cache-Control': 'no-store',
          },
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/codec/session',
      tag: 'Codec',
      summary: 'Sign this browser out of the codec endpoint',
      description:
        'Roles: owner, operator. Revokes the session in the cookie at once (it is refused from then on, here and in every API process) and clears the cookie.',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      responses: { 200: { description: 'Signed out', schema: z.object({ signedOut: z.literal(true) }) } },
      handler: async ({ req, auth }) => {
        const token = codecSessionKey(req);
        if (token) await revokeCodecSession(deps.db, { businessId: auth.businessId, token, now: deps.now() });
        return {
          status: 200,
          body: { signedOut: true as const },
          headers: {
            'Set-Cookie': `${CODEC_SESSION_COOKIE}=; Path=/v1/codec; Max-Age=0; HttpOnly; SameSite=Strict${req.secure ? '; Secure' : ''}`,
            'Cache-Control': 'no-store',
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/codec/decode',
      tag: 'Codec',
      summary: 'Decrypt workflow payloads for the Temporal Web UI and CLI (codec server protocol)',
      description:
        'Roles: owner, operator. Payloads of this business’s leads come back decrypted; others, and those of erased leads (destroyed keys), come back unchanged — from the moment the erasure finishes, in every API process (each call checks its keys in the database). Configure the Temporal UI or `temporal --codec-endpoint <api>/v1/codec --codec-auth "Bearer <key>"` to use it.',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      headers: ZCodecHeadersSchema,
      body: ZPayloadsSchema,
      responses: { 200: { description: 'The payloads, decoded where allowed', schema: ZPayloadsSchema } },
      handler: async ({ body, auth, req, res }) => {
        const codec = codecFor(auth.businessId);
        const payloads = body.payloads.map(fromWire);
        const states = await keyStatesOf(payloads.map(keyIdOf).filter((id): id is string => id !== null));
        /** Whose personal data this call shows in clear (null: a key not yet tied to a lead). */
        const read = new Set<string | null>();
        const out = await Promise.all(
          payloads.map(async (p, i) => {
            const keyId = keyIdOf(p);
            if (keyId === null) return p;
            const key = states.get(keyId);
            if (!key)
              throw new AppError('bad_request', `payloads.${i}: cannot be decrypted (unknown key)`, [
                { field: `payloads.${i}`, reason: 'cannot be decrypted (unknown key)' },
              ]);
            // Another business's payload, or an erased lead's: left as it is.
            if (key.businessId !== auth.businessId || key.destroyed) return p;
            try {
              const [decoded] = await codec.decode([p]);
              // A destroyed key leaves the payload encrypted: nothing was read.
              if (keyIdOf(decoded!) === null) read.add(key.leadId ?? leadOf(decoded!)?.leadId ?? null);
              return decoded!;
            } catch (err) {
              if (err instanceof DataKeyUnavailableError)
                throw new AppError('unavailable', 'the database is unavailable; retry shortly', null, 5);
              throw new AppError('bad_request', `payloads.${i}: cannot be decrypted`, [
                { field: `payloads.${i}`, reason: 'cannot be decrypted' },
              ]);
            }
          }),
        );
        // Recorded before the payloads leave, like every other read of personal data.
        if (read.size > 0) {
          await withTenant(deps.db, auth.businessId, async (tx) => {
            for (const leadId of read)
              await audit(tx, auth, { action: 'read', entity: 'lead', entityId: leadId }, clientAddress(req));
          });
        }
        res.setHeader('Cache-Control', 'no-store');
        return { status: 200, body: { payloads: out.map(toWire) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/codec/encode',
      tag: 'Codec',
      summary: 'Encrypt payloads typed in the Temporal Web UI or CLI (codec server protocol)',
      description:
        'Roles: owner, operator. A JSON payload with a top-level `leadId` of this business is encrypted under that lead’s data key, filed under the caller’s business whatever the payload says; a `leadId` of another business or of an erased lead is refused (400); payloads without one pass through unchanged.',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      headers: ZCodecHeadersSchema,
      body: ZPayloadsSchema,
      responses: { 200: { description: 'The payloads, encoded', schema: ZPayloadsSchema } },
      handler: async ({ body, auth }) => {
        const codec = codecFor(auth.businessId);
        const payloads = body.payloads.map(fromWire);
        // Only this business's leads: a key is never made or used for someone else's.
        const leadIds = [...new Set(payloads.map((p) => leadOf(p)?.leadId).filter((id): id is string => Boolean(id)))];
        const own = new Set(
          leadIds.length === 0
            ? []
            : (
                await withTenant(deps.db, auth.businessId, (tx) =>
                  // An erased lead's keys were destroyed on purpose: no new one is made for it.
                  tx.lead.findMany({
                    where: { id: { in: leadIds.filter(isUuid) }, erasedAt: null },
                    select: { id: true },
                  }),
                )
              ).map((l) => l.id),
        );
        const out = await Promise.all(
          payloads.map(async (p, i) => {
            const lead = leadOf(p);
            if (lead && !own.has(lead.leadId)) {
              throw new AppError('bad_request', `payloads.${i}: leadId is not a lead of this business, or was erased`, [
                { field: `payloads.${i}`, reason: 'leadId is not a lead of this business, or was erased' },
              ]);
            }
            try {
              return (await codec.encode([p]))[0]!;
            } catch (err) {
              if (err instanceof DataKeyUnavailableError)
                throw new AppError('unavailable', 'the database is unavailable; retry shortly', null, 5);
              throw new AppError('bad_request', `payloads.${i}: cannot be encrypted`, [
                { field: `payloads.${i}`, reason: 'cannot be encrypted' },
              ]);
            }
          }),
        );
        return { status: 200, body: { payloads: out.map(toWire) } };
      },
    }),
  ];
}

/**
 * A page where an operator signs this browser in for the Temporal UI's codec calls: paste
 * an owner or operator key, get the cookie. The script is a separate file so the page runs
 * under the API's strict Content-Security-Policy.
 */
export function codecLoginRoutes(): Array<{ path: string; type: string; body: string }> {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>leadflow · decode payloads in the Temporal UI</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;width:100%;box-sizing:border-box}input{padding:.5rem;margin:.25rem 0 1rem;font:inherit}button{padding:.6rem;font:inherit;cursor:pointer}#status{margin-top:1rem}</style>
</head><body>
<h1>Decode payloads in the Temporal UI</h1>
<p>Lead workflows carry personal data encrypted per lead. Sign this browser in with an owner or operator API key; the Temporal UI may then decode your business’s payloads for 8 hours. In the UI, open the codec (Data Encoder) settings and tick <strong>Include cross-origin credentials</strong>.</p>
<form id="login"><label for="key">API key (owner or operator)</label><input id="key" name="key" type="password" autocomplete="off" required><button type="submit">Sign in</button></form>
<form id="logout"><button type="submit">Sign out</button></form>
<p id="status" role="status" aria-live="polite"></p>
<script src="/codec-login.js"></script>
</body></html>`;
  const script = `(function () {
  var status = document.getElementById('status');
  function say(text) { status.textContent = text; }
  document.getElementById('login').addEventListener('submit', function (e) {
    e.preventDefault();
    var key = document.getElementById('key').value.trim();
    fetch('/v1/codec/session', { method: 'POST', credentials: 'same-origin', headers: { Authorization: 'Bearer ' + key } })
      .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
      .then(function (r) {
        document.getElementById('key').value = '';
        say(r.ok ? 'Signed in until ' + new Date(r.body.expiresAt).toLocaleString() + '.' : 'Not signed in: ' + r.body.error.message);
      })
      .catch(function () { say('The API could not be reached.'); });
  });
  document.getElementById('logout').addEventListener('submit', function (e) {
    e.preventDefault();
    fetch('/v1/codec/session', { method: 'DELETE', credentials: 'same-origin' })
      .then(function (r) { say(r.ok ? 'Signed out.' : 'You were not signed in.'); })
      .catch(function () { say('The API could not be reached.'); });
  });
})();`;
  return [
    { path: '/codec-login', type: 'html', body: page },
    { path: '/codec-login.js', type: 'application/javascript', body: script },
  ];
}
