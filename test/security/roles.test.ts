import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import type { ApiKeyRole } from '../../api/auth/api-keys';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createBusiness } from '../support/business';
import { createUser, signIn } from '../support/people';
import { PERSON_ROLES, type PersonRole } from '../../domain/roles';
import { startStack, type Stack } from '../support/stack';

const ROLES: ApiKeyRole[] = ['owner', 'operator', 'compliance', 'widget'];
const PASSWORD = 'correct horse battery staple';

/**
 * Every operation behind an API key, called with a key of every role (walked from
 * /openapi.json, so a new route is covered the day it exists): a role the route does not
 * list gets 403 in the error shape, a role it lists is never refused for its role.
 */
describe('roles: every route with every role', () => {
  let stack: Stack;
  const keys = {} as Record<ApiKeyRole, string>;
  const SITE = 'https://www.rivera-plumbing.example';

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    const business = await createBusiness(stack.database.db, { allowedOrigins: [SITE] });
    for (const role of ROLES)
      keys[role] = (
        await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, role, role))
      ).key;
    for (const role of PERSON_ROLES)
      await createUser(stack.database.db, business.id, { email: `${role}@roles.example`, password: PASSWORD, role });
  });
  afterAll(async () => {
    await stack?.close();
  });

  type Operation = {
    security?: Array<Record<string, unknown>>;
    'x-roles'?: string[];
    responses?: Record<string, { content?: Record<string, unknown> }>;
  };
  /** A route that answers with a stream that stays open (GET /v1/events). */
  const streams = (op: Operation) => Boolean(op.responses?.['200']?.content?.['text/event-stream']);

  /** One call with an empty JSON body on writes; a stream is closed once its status and headers are in. */
  async function call(method: string, url: string, headers: Record<string, string>, stream: boolean) {
    if (!stream) {
      const req = request(stack.app)[method as 'get'](url).set(headers);
      return ['post', 'put', 'patch'].includes(method) ? req.send({}) : req;
    }
    const server = stack.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const abort = new AbortController();
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}${url}`, {
        method: method.toUpperCase(),
        headers,
        signal: abort.signal,
      });
      const body = (res.headers.get('content-type') ?? '').includes('application/json') ? await res.json() : {};
      return { status: res.status, body };
    } finally {
      abort.abort();
      server.closeAllConnections();
      server.close();
    }
  }

  it('refuses every role a route does not list with 403, and lets every listed role past the role check', async () => {
    const document = (await request(stack.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const matrix: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (!op.security?.some((s) => 'apiKey' in s)) continue;
        const allowed = op['x-roles'];
        expect({ route: `${method} ${path}`, documentsRoles: Array.isArray(allowed) && allowed.length > 0 }).toEqual({
          route: `${method} ${path}`,
          documentsRoles: true,
        });
        const url = path.replace(/\{[^}]+\}/g, randomUUID());
        for (const role of ROLES) {
          const headers: Record<string, string> = { Authorization: `Bearer ${keys[role]}` };
          if (role === 'widget') headers.Origin = SITE;
          // An empty JSON body: a listed role then meets validation (400) or a missing id
          // (404), never its role; an unlisted one is refused before either.
          const res = await call(method, url, headers, streams(op));
          const route = `${method.toUpperCase()} ${path} as ${role}`;
          if (allowed!.includes(role)) {
            expect({ route, refused: res.status === 401 || res.status === 403 }).toEqual({ route, refused: false });
            expect({ route, serverError: res.status >= 500 }).toEqual({ route, serverError: false });
          } else {
            expect({ route, status: res.status }).toEqual({ route, status: 403 });
            expect(res.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('role') });
          }
          matrix.push(`${route}: ${res.status}`);
        }
      }
    }
    // Every keyed route of the contract, four roles each.
    expect(matrix.length).toBeGreaterThanOrEqual(4 * 25);
  }, 120_000);

  it('applies the same role rules to a signed-in person’s session as to a key of that role', async () => {
    const document = (await request(stack.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, Operation>>;
    };
    const people = {} as Record<PersonRole, { cookie: string; csrfToken: string }>;
    for (const role of PERSON_ROLES) people[role] = await signIn(stack.app, `${role}@roles.example`, PASSWORD);
    const matrix: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const keyed = op.security?.some((s) => 'apiKey' in s) ?? false;
        const sessionOnly = !keyed && (op.security?.some((s) => 'session' in s) ?? false);
        if (keyed)
          expect({ path, method, session: op.security!.some((s) => 'session' in s) }).toMatchObject({ session: true });
        if (!keyed && !sessionOnly) continue;
        // A codec sign-in stands for an API key (revoking the key ends it): a person signs the Temporal UI in with a key.
        if (path === '/v1/codec/session' && method === 'post') {
          const res = await request(stack.app)
            .post(path)
            .set('Cookie', people.owner.cookie)
            .set('X-CSRF-Token', people.owner.csrfToken);
          expect(res.status).toBe(403);
          continue;
        }
        // Routes about the person themselves (their sessions, sign-out, TOTP) are every person's.
        const allowed = sessionOnly ? [...PERSON_ROLES] : op['x-roles']!;
        const url = path.replace(/\{[^}]+\}/g, randomUUID());
        for (const role of PERSON_ROLES) {
          // Sign-out ends the session it is sent with: a fresh one, so the walk goes on.
          const person =
            path === '/v1/auth/sign-out' ? await signIn(stack.app, `${role}@roles.example`, PASSWORD) : people[role];
          const res = await call(method, url, { Cookie: person.cookie, 'X-CSRF-Token': person.csrfToken }, streams(op));
          const route = `${method.toUpperCase()} ${path} as a signed-in ${role}`;
          if (allowed.includes(role)) {
            expect({ route, refused: res.status === 401 || res.status === 403 }).toEqual({ route, refused: false });
            expect({ route, serverError: res.status >= 500 }).toEqual({ route, serverError: false });
          } else {
            expect({ route, status: res.status }).toEqual({ route, status: 403 });
            expect(res.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('role') });
          }
          // The same answer as the key of that role gets.
          if (keyed) {
            const keyRes = await call(method, url, { Authorization: `Bearer ${keys[role]}` }, streams(op));
            const refusedForRole = (r: { status: number }) => r.status === 403;
            expect({ route, refused: refusedForRole(res) }).toEqual({ route, refused: refusedForRole(keyRes) });
          }
          matrix.push(`${route}: ${res.status}`);
        }
      }
    }
    expect(matrix.length).toBeGreaterThanOrEqual(3 * 25);
  }, 300_000);
});
