import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createPrisma } from '../../db/prisma';
import { createLogger } from '../../logging/logger';
import { ensureChromium } from '../../scripts/toolchain/chromium';
import { ROOT } from '../../scripts/toolchain/paths';

const ARTIFACTS = join(ROOT, 'test-artifacts');

describe('the API reference at /docs in a real browser', () => {
  let browser: Browser;
  let server: Server;
  let origin = '';
  let operations: Array<{ method: string; path: string; operationId: string }> = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The real app; nothing on the page needs Postgres or Temporal (lazy clients, never reached).
    const app = createApp({
      db: createPrisma({ databaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/none' }),
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      log: createLogger({ name: 'test', level: 'silent' }),
      settings: { localSms: true, adminToken: 'x'.repeat(32) },
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>;
      webhooks?: Record<string, Record<string, { operationId: string }>>;
    };
    // The page renders the outbound webhook catalogue (OpenAPI 3.1 `webhooks`) beside the paths.
    operations = [...Object.entries(doc.paths), ...Object.entries(doc.webhooks ?? {})].flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method, path, operationId: op.operationId })),
    );
    browser = await chromium.launch({
      executablePath: await ensureChromium({ log: (l) => console.log(`chromium: ${l}`) }),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('renders every operation from /openapi.json with its operationId, loads nothing from another origin, and tries a call', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const violations: string[] = [];
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      else if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url());
    });

    await page.goto(`${origin}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('.opblock').count()).toBe(operations.length);
    // Every operation shows its operationId (displayOperationId), so a reader sees what a generated client calls it.
    const shownIds = await page.locator('.opblock .opblock-summary-operation-id').allTextContents();
    expect(shownIds.map((t) => t.trim()).sort()).toEqual(operations.map((o) => o.operationId).sort());
    await page.screenshot({ path: join(ARTIFACTS, 'docs-page.png'), fullPage: false });

    // Try it out on GET /v1/business without a key: the API's real answer, 401, appears on the page.
    const op = page.locator('.opblock', {
      has: page.locator('.opblock-summary-operation-id', { hasText: /^getBusiness$/ }),
    });
    await op.locator('.opblock-summary').click();
    const tryIt = op.getByRole('button', { name: 'Try it out' });
    await expect.poll(() => tryIt.isVisible()).toBe(true);
    await tryIt.click();
    await op.getByRole('button', { name: 'Execute' }).click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toContain('401');
    await op.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'docs-page-try-it.png'), fullPage: false });

    expect(violations).toEqual([]);
    expect(foreign).toEqual([]);
    // 401 is the expected answer above; the browser logs any failed fetch as an error.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await context.close();
  });
});
