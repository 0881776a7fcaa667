import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface OtlpSpan {
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

/** The API process as deployed: OTEL_EXPORTER_OTLP_ENDPOINT set, spans posted to a collector over OTLP/HTTP. */
describe('api/main.ts with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let collector: Server;
  const posts: Array<{ path: string; body: string }> = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posts.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => collector.close(() => r())));

  it('exports a SERVER span named by the route, with the service name, when it shuts down', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const api = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        PORT: String(port),
        // Never reached: /healthz answers without the database or Temporal.
        DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none',
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        OTEL_SERVICE_NAME: 'leadflow-api-under-test',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    api.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    api.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => api.once('exit', r));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toContain('leadflow API listening');
      expect(out).toContain('"tracing":"on"');
      const res = await fetch(`http://127.0.0.1:${port}/healthz?email=dana@example.com`);
      expect(res.status).toBe(200);
      api.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (api.exitCode === null) api.kill('SIGKILL');
    }

    expect(posts.map((p) => p.path)).toContain('/v1/traces');
    const payload = posts.map((p) => p.body).join('\n');
    expect(payload).not.toContain('dana@example.com');
    const resourceSpans = posts.flatMap(
      (p) =>
        (
          JSON.parse(p.body) as {
            resourceSpans: Array<{
              resource: { attributes: OtlpSpan['attributes'] };
              scopeSpans: Array<{ spans: OtlpSpan[] }>;
            }>;
          }
        ).resourceSpans,
    );
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const health = spans.find((s) => s.name === 'GET /healthz');
    expect(health, `spans: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
    expect(health!.kind).toBe(2); // SPAN_KIND_SERVER
    expect(health!.attributes).toEqual(
      expect.arrayContaining([{ key: 'http.route', value: { stringValue: '/healthz' } }]),
    );
    expect(resourceSpans[0]!.resource.attributes).toEqual(
      expect.arrayContaining([{ key: 'service.name', value: { stringValue: 'leadflow-api-under-test' } }]),
    );
  }, 60_000);
});
