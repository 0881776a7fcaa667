import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { appIsStale } from '../../scripts/app/app-freshness';
import { buildApp } from '../../scripts/app/build-app';
import { ensureChromium } from '../../scripts/toolchain/chromium';
import { ROOT } from '../../scripts/toolchain/paths';

export const ARTIFACTS = join(ROOT, 'test-artifacts');
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const LOCK = join(tmpdir(), 'leadflow-app-build.lock');

/** app/dist as the sources stand; test files in parallel workers build it once (a directory as the lock). */
export async function ensureAppBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (appIsStale()) await buildApp({ quiet: true });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export function listen(app: Express): Promise<{ server: Server; origin: string }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    );
  });
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: await ensureChromium(),
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
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical axe-core findings on the page as it is now (WCAG 2.1 A and AA rules). */
export async function seriousViolations(page: Page): Promise<string[]> {
  // The context bypasses the app's CSP so this one inline script can run.
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * The screen at 1280 and 375 px: a screenshot of each in test-artifacts/app-<screen>-<width>.png,
 * and no serious or critical axe-core violation at either width.
 */
export async function captureScreen(page: Page, screen: string): Promise<void> {
  const original = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    await page.waitForLoadState('networkidle').catch(() => {});
    await page.screenshot({ path: join(ARTIFACTS, `app-${screen}-${width}.png`), fullPage: true });
    expect(await seriousViolations(page), `${screen} at ${width} px`).toEqual([]);
    // Nothing overflows sideways on a phone: the page scrolls only down.
    if (width === 375)
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth),
        `${screen} at 375 px`,
      ).toBeLessThanOrEqual(375);
  }
  await page.setViewportSize(original);
}

/** What the page keeps in browser storage (the app keeps nothing there). */
export function browserStorage(page: Page) {
  return page.evaluate(async () => ({
    localStorage: Object.keys(localStorage),
    sessionStorage: Object.keys(sessionStorage),
    indexedDB: (await indexedDB.databases()).map((d) => d.name ?? ''),
  }));
}

/** A new browser context signed in through the app's own sign-in form, on the screen it lands on. */
export async function signIn(
  browser: Browser,
  origin: string,
  who: { email: string; password: string },
  lands = 'Inbox',
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${origin}/app/sign-in`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: lands, level: 1 }).waitFor();
  return page;
}
