import { compileErrors, validate } from '@readme/openapi-parser';
import { Client, Connection } from '@temporalio/client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createPrisma } from '../../db/prisma';
import { createLogger } from '../../logging/logger';

/** Every route the app serves, as Express sees it. */
function expressRoutes(app: ReturnType<typeof createApp>): string[] {
  const found: string[] = [];
  const walk = (
    stack: Array<{ route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } }>,
  ) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) found.push(`${m} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack as typeof stack);
    }
  };
  walk((app as unknown as { router: { stack: Parameters<typeof walk>[0] } }).router.stack);
  return found;
}

describe('OpenAPI contract', () => {
  // Nothing here talks to Postgres or Temporal: lazy clients that are never used.
  const app = createApp({
    db: createPrisma({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none' }),
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    log: createLogger({ name: 'test', level: 'silent' }),
    settings: { localSms: true, adminToken: 'x'.repeat(32) },
  });

  it('serves a valid OpenAPI 3.1 document', async () => {
    const res = await request(app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(res.body));
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.valid).toBe(true);
  });

  it('documents every route the router serves, and nothing it does not', async () => {
    const doc = (await request(app).get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const served = expressRoutes(app).filter((r) => r.includes(' /v1/'));
    expect(served.length).toBeGreaterThan(15);
    expect(new Set(documented)).toEqual(new Set(served));
  });

  it('documents the error shape for every 4xx', async () => {
    const doc = (await request(app).get('/openapi.json')).body as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>
      >;
    };
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (!/^4\d\d$/.test(status) || !response.content) continue;
          expect({
            route: `${method} ${path} ${status}`,
            ref: response.content['application/json']?.schema.$ref,
          }).toEqual({
            route: `${method} ${path} ${status}`,
            ref: '#/components/schemas/Error',
          });
        }
      }
    }
  });

  it('serves a readable reference page built from the document', async () => {
    const res = await request(app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.text).toContain('/v1/leads');
    expect(res.text).toContain('Capture a lead');
  });
});
