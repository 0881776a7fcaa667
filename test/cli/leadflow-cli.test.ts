import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { retentionDays } from '../../domain/retention';
import { createLogger } from '../../logging/logger';
import { freePort } from '../../scripts/toolchain/free-port';
import { retentionRunWorkflowId } from '../../workflows/retention/definitions';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';
import { cliInProcess, cliProcess } from './cli-harness';

const DAY = 86_400_000;

/** The CLI as a user runs it: a child process talking HTTP to the real stack's API. */
const cli = (args: string[], env: Record<string, string | undefined>) => cliProcess(args, env);
/** The same program in this process, for the cases that only need its parsing. */
const inProcess = cliInProcess;

describe('leadflow CLI against the real stack', () => {
  let stack: Stack;
  let server: Server;
  let url: string;
  let businessId: string;
  let compliance: string;
  beforeAll(async () => {
    stack = await startStack();
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const business = await createBusiness(stack.database.db);
    businessId = business.id;
    compliance = (
      await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'compliance', 'cli'))
    ).key;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await stack?.close();
  });

  it('lists its commands with --help', async () => {
    const { code, stdout } = await cli(['--help'], {});
    expect(code).toBe(0);
    for (const command of [
      'retention run',
      'retention show',
      'receipts list',
      'receipts verify',
      'hold place',
      'hold release',
    ])
      expect(stdout).toContain(command);
  });

  it('fails in one line, without a stack trace: no key, no API, a refusal', async () => {
    const noKey = await cli(['retention', 'run'], { LEADFLOW_API_URL: url });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr.trim()).toMatch(/^leadflow: LEADFLOW_API_KEY is not set/);

    const closed = await freePort();
    const down = await cli(['retention', 'run'], {
      LEADFLOW_API_URL: `http://127.0.0.1:${closed}`,
      LEADFLOW_API_KEY: compliance,
    });
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toBe(
      `leadflow: cannot reach the API at http://127.0.0.1:${closed} (ECONNREFUSED): is it running? (LEADFLOW_API_URL)`,
    );

    const operator = (
      await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, 'operator', 'op'))
    ).key;
    const refused = await cli(['retention', 'run'], { LEADFLOW_API_URL: url, LEADFLOW_API_KEY: operator });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'leadflow: the API answered 403: this route needs a key with role owner or compliance',
    );

    const missing = await cli(['hold', 'release', randomUUID()], {
      LEADFLOW_API_URL: url,
      LEADFLOW_API_KEY: compliance,
    });
    expect(missing.stderr.trim()).toBe('leadflow: the API answered 404: lead not found');
    for (const r of [noKey, down, refused, missing]) expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('refuses an unknown option or command with exit 2 and a suggestion, and starts nothing', async () => {
    // A business of its own, with expired data a real run would delete.
    const other = (await createBusiness(stack.database.db)).id;
    const key = (await withTenant(stack.database.db, other, (tx) => createKey(tx, other, 'compliance', 'cli'))).key;
    const at = new Date(Date.now() - retentionDays('ai_logs') * DAY - 3_600_000);
    await stack.database.db.eventLog.createMany({
      data: Array.from({ length: 2 }, () => ({
        businessId: other,
        category: 'ai',
        event: 'reply_written',
        createdAt: at,
      })),
    });
    const env = { LEADFLOW_API_URL: url, LEADFLOW_API_KEY: key };

    // A typo of --dry-run once started a real deletion.
    const typo = await cli(['retention', 'run', '--dryrun'], env);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toMatch(/^leadflow: unknown option '--dryrun'\n\(Did you mean --dry-run\?\)$/m);
    const command = await inProcess(['retension', 'run', '--dry-run'], env);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toMatch(/^leadflow: unknown command 'retension'\n\(Did you mean retention\?\)$/m);
    const extra = await inProcess(['retention', 'run', 'now'], env);
    expect(extra.exitCode).toBe(2);
    const badCategory = await inProcess(['retention', 'run', '--categories', 'ai_log'], env);
    expect(badCategory.exitCode).toBe(2);
    expect(badCategory.stderr).toContain('unknown category "ai_log"');
    const timeoutAlone = await inProcess(['retention', 'run', '--timeout', '5'], env);
    expect(timeoutAlone).toMatchObject({ exitCode: 2, stderr: 'leadflow: --timeout needs --wait\n' });

    expect(await stack.database.db.retentionRun.count({ where: { businessId: other } })).toBe(0);
    expect(await stack.database.db.eventLog.count({ where: { businessId: other } })).toBe(2);
    // The same key and API do start a run when the command is right.
    expect((await cli(['retention', 'run', '--dry-run'], env)).code).toBe(0);
    expect(await stack.database.db.retentionRun.count({ where: { businessId: other } })).toBe(1);
  });

  it('runs a dry run and a sweep, shows the run, lists and verifies the receipts', async () => {
    const at = new Date(Date.now() - retentionDays('ai_logs') * DAY - 3_600_000);
    await stack.database.db.eventLog.createMany({
      data: Array.from({ length: 3 }, () => ({ businessId, category: 'ai', event: 'reply_written', createdAt: at })),
    });
    const env = { LEADFLOW_API_URL: url, LEADFLOW_API_KEY: compliance };

    const dry = await cli(['retention', 'run', '--dry-run', '--wait'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/completed \(dry run\)/);
    expect(dry.stdout).toMatch(/ai_logs\s+would delete 3, kept by legal hold 0/);
    expect(await stack.database.db.eventLog.count({ where: { businessId } })).toBe(3);

    const real = await cli(['retention', 'run', '--wait', '--json'], env);
    expect(real.code).toBe(0);
    const run = JSON.parse(real.stdout) as {
      id: string;
      status: string;
      report: { totals: { ai_logs: { deleted: number } } };
    };
    expect(run.status).toBe('completed');
    expect(run.report.totals.ai_logs.deleted).toBe(3);
    expect(await stack.database.db.eventLog.count({ where: { businessId } })).toBe(0);

    const shown = await cli(['retention', 'show', run.id], env);
    expect(shown.stdout).toMatch(new RegExp(`retention run ${run.id}: completed`));
    expect(shown.stdout).toMatch(/ai_logs\s+deleted 3/);

    const receipts = await cli(['receipts', 'list', '--limit', '5'], env);
    expect(receipts.code).toBe(0);
    expect(receipts.stdout).toContain(`sweep:${run.id}  ai_logs=3`);
    const receiptsJson = await inProcess(['receipts', 'list', '--limit', '5', '--json'], env);
    expect(receiptsJson.exitCode).toBe(0);
    expect(JSON.parse(receiptsJson.stdout)).toContainEqual(
      expect.objectContaining({ cause: `sweep:${run.id}`, counts: expect.objectContaining({ ai_logs: 3 }) }),
    );

    const verified = await cli(['receipts', 'verify'], { DATABASE_URL: stack.database.appUrl });
    expect(verified).toMatchObject({ code: 0 });
    expect(verified.stdout).toMatch(/^receipt chain intact: \d+ receipts verified/);
    const verifiedJson = await inProcess(['receipts', 'verify', '--json'], { DATABASE_URL: stack.database.appUrl });
    expect(verifiedJson.exitCode).toBe(0);
    expect(JSON.parse(verifiedJson.stdout)).toMatchObject({ ok: true, brokenAtSeq: null });
    const noDb = await cli(['receipts', 'verify'], {});
    expect(noDb.stderr.trim()).toMatch(/^leadflow: DATABASE_URL is not set/);
  });

  it('places and releases a legal hold', async () => {
    const leadId = randomUUID();
    await stack.database.db.lead.create({
      data: { id: leadId, businessId, name: 'Dana Whitfield', phone: '+12125550188' },
    });
    const env = { LEADFLOW_API_URL: url, LEADFLOW_API_KEY: compliance };
    const placed = await cli(['hold', 'place', leadId, '--reason', 'pending litigation'], env);
    expect(placed.code).toBe(0);
    expect(placed.stdout).toContain(`legal hold placed on lead ${leadId}`);
    expect(await stack.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).toMatchObject({
      legalHoldReason: 'pending litigation',
    });
    const noReason = await cli(['hold', 'place', leadId], env);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr.trim()).toBe('leadflow: hold place needs --reason "why the data must be kept"');
    const released = await cli(['hold', 'release', leadId], env);
    expect(released.code).toBe(0);
    expect((await stack.database.db.lead.findUniqueOrThrow({ where: { id: leadId } })).legalHoldAt).toBeNull();
  });

  it('retention run --wait shows progress on stderr and gives up at --timeout, exit 1', async () => {
    // An API whose task queue has no worker: the run is accepted and never finishes.
    const idle = createApp({
      db: stack.database.appDb,
      temporal: stack.client,
      log: createLogger({ name: 'test', level: 'silent' }),
      taskQueue: `idle-${randomUUID()}`,
    }).listen(0, '127.0.0.1');
    await new Promise((r) => idle.once('listening', r));
    try {
      const env = {
        LEADFLOW_API_URL: `http://127.0.0.1:${(idle.address() as AddressInfo).port}`,
        LEADFLOW_API_KEY: compliance,
      };
      const waited = await cli(['retention', 'run', '--dry-run', '--wait', '--timeout', '2', '--json'], env);
      expect(waited.code).toBe(1);
      expect(waited.stdout).toBe('');
      const lines = waited.stderr.trim().split('\n');
      const id = lines[0]?.match(
        /^retention run ([0-9a-f-]{36}): running, 0 batches, 0 would be deleted so far \(\d+ s\)$/,
      )?.[1];
      expect(id).toBeTruthy();
      expect(lines.at(-1)).toBe(
        `leadflow: retention run ${id} is still running after 2 s; it goes on: leadflow retention show ${id}`,
      );
      await stack.client.workflow.getHandle(retentionRunWorkflowId(id!)).terminate('test over');
    } finally {
      await new Promise((r) => idle.close(r));
    }
  });
});
