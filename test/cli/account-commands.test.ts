import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';
import { cliInProcess, cliProcess } from './cli-harness';

describe('leadflow account … (against the real API)', () => {
  let stack: Stack;
  let server: Server;
  let apiUrl = '';
  let businessId = '';
  const keys = { owner: '', compliance: '', operator: '' };

  beforeAll(async () => {
    stack = await startStack();
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    businessId = (await createBusiness(stack.database.db)).id;
    for (const role of ['owner', 'compliance', 'operator'] as const) {
      keys[role] = (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, role, role))).key;
    }
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await stack?.close();
  });

  /** `leadflow account …` in this process: its exit code and what it printed. */
  const runAccountCommand = async (args: string[], env: { apiUrl: string; apiKey: string | undefined }) => {
    const { exitCode, output } = await cliInProcess(['account', ...args], {
      LEADFLOW_API_URL: env.apiUrl,
      LEADFLOW_API_KEY: env.apiKey,
    });
    return { exitCode, output };
  };
  const run = (args: string[], apiKey: string | undefined = keys.owner) => runAccountCommand(args, { apiUrl, apiKey });

  it('places, shows and releases a tenant legal hold', async () => {
    const placed = await run(['hold', 'place', '--reason', 'Litigation hold, case 24-118'], keys.compliance);
    expect(placed).toMatchObject({ exitCode: 0 });
    expect(placed.output).toMatch(/^tenant legal hold placed at \d{4}-/);
    expect((await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } })).legalHoldReason).toBe(
      'Litigation hold, case 24-118',
    );

    const shown = await run(['show']);
    expect(shown.exitCode).toBe(0);
    expect(shown.output).toContain(`business          ${businessId}`);
    expect(shown.output).toMatch(/status\s+active/);
    expect(shown.output).toContain('Litigation hold, case 24-118');
    const json = await run(['show', '--json']);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.output)).toMatchObject({
      businessId,
      status: 'active',
      legalHold: true,
      legalHoldDetails: { held: true, reason: 'Litigation hold, case 24-118' },
    });

    expect(await run(['hold', 'release'])).toMatchObject({
      exitCode: 0,
      output: 'tenant legal hold released: deletion timers resume',
    });
    expect((await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } })).legalHoldAt).toBeNull();
  });

  it('prints one-line errors: the API’s refusal, a missing reason, a missing key, an unreachable API', async () => {
    expect(await run(['hold', 'place', '--reason', 'x'], keys.operator)).toEqual({
      exitCode: 1,
      output: 'leadflow: the API answered 403: this route needs a key with role owner or compliance',
    });
    expect(await run(['hold', 'place'])).toEqual({
      exitCode: 2,
      output: 'leadflow: --reason "<why>" is required (at least 3 characters)',
    });
    expect((await runAccountCommand(['show'], { apiUrl, apiKey: undefined })).output).toMatch(
      /^leadflow: LEADFLOW_API_KEY is not set/,
    );
    expect(await runAccountCommand(['show'], { apiUrl: 'http://127.0.0.1:1', apiKey: keys.owner })).toEqual({
      exitCode: 1,
      output: expect.stringMatching(
        /^leadflow: cannot reach the API at http:\/\/127\.0\.0\.1:1 \(.+\): is it running\? \(LEADFLOW_API_URL\)$/,
      ),
    });
    expect((await run(['frobnicate'])).exitCode).toBe(2);
  });

  it('runs as `leadflow account …` in a child process', async () => {
    const cli = (args: string[]) => cliProcess(args, { LEADFLOW_API_URL: apiUrl, LEADFLOW_API_KEY: keys.owner });
    const help = await cli(['--help']);
    expect(help.stdout).toContain('account hold place --reason');
    const placed = await cli(['account', 'hold', 'place', '--reason', 'Subpoena 2026-77']);
    expect(placed).toMatchObject({ code: 0, stderr: '' });
    const shown = await cli(['account', 'show']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Subpoena 2026-77');
    expect((await cli(['account', 'hold', 'release'])).code).toBe(0);
    expect((await stack.database.db.business.findUniqueOrThrow({ where: { id: businessId } })).legalHoldAt).toBeNull();
  });
});
