import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import type { ApiKeyRole } from '../../api/auth/api-keys';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const ROLES: ApiKeyRole[] = ['owner', 'operator', 'compliance', 'widget'];

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
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses every role a route does not list with 403, and lets every listed role past the role check', async () => {
    const document = (await request(stack.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>>; 'x-roles'?: string[] }>>;
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
          let call = request(stack.app)[method as 'get'](url).set('Authorization', `Bearer ${keys[role]}`);
          if (role === 'widget') call = call.set('Origin', SITE);
          // An empty JSON body: a listed role then meets validation (400) or a missing id
          // (404), never its role; an unlisted one is refused before either.
          const res = await (['post', 'put', 'patch'].includes(method) ? call.send({}) : call);
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
});
