import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { appStatic } from '../../api/app-static';

function builtApp() {
  const dist = mkdtempSync(join(tmpdir(), 'leadflow-app-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(
    join(dist, 'index.html'),
    '<!doctype html>\n<html lang="en"><head><script type="module" src="/app/assets/index-abc123.js"></script></head></html>\n',
  );
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app");\n');
  return express().use(appStatic({ dist }));
}

describe('serving the app at /app', () => {
  const app = builtApp();

  it('answers index.html for /app and every path under it, never cached, with the app’s CSP', async () => {
    for (const path of ['/app', '/app/', '/app/inbox', '/app/inbox/3f1c0b1e-0000-4000-8000-000000000000']) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(200);
      expect(res.type).toBe('text/html');
      expect(res.text).toContain('/app/assets/index-abc123.js');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).not.toMatch(/script-src[^;]*unsafe-inline/);
    }
  });

  it('caches hashed assets for a year and answers 404 for a missing one', async () => {
    const res = await request(app).get('/app/assets/index-abc123.js');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await request(app).get('/app/assets/index-gone.js')).status).toBe(404);
  });

  it('renders the page in the theme of the leadflow_theme cookie, and ignores anything else in it', async () => {
    const dark = await request(app).get('/app/inbox').set('Cookie', 'a=b; leadflow_theme=dark');
    expect(dark.text).toContain('<html lang="en" data-theme="dark">');
    const odd = await request(app).get('/app/inbox').set('Cookie', 'leadflow_theme="><script>');
    expect(odd.text).toContain('<html lang="en">');
    expect(odd.text).not.toContain('<script>"');
  });

  it('says how to build the app when app/dist is missing', async () => {
    const empty = express().use(appStatic({ dist: join(tmpdir(), 'leadflow-no-such-dist') }));
    const res = await request(empty).get('/app/sign-in');
    expect(res.status).toBe(503);
    expect(res.text).toContain('npm run build:app');
  });
});
