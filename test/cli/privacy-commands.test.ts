import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { createBusiness } from '../support/business';
import { daytimePhone } from '../support/phones';
import { startStack, type Stack } from '../support/stack';
import { cliInProcess, cliProcess } from './cli-harness';

describe('leadflow privacy … (against the real API)', () => {
  let stack: Stack;
  let server: Server;
  let apiUrl = '';
  let owner = '';
  let compliance = '';

  beforeAll(async () => {
    stack = await startStack({ privacyKeys: derivePrivacyKeys(randomBytes(32)) });
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const business = await createBusiness(stack.database.db);
    owner = (await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'owner', 'owner')))
      .key;
    compliance = (
      await withTenant(stack.database.db, business.id, (tx) => createKey(tx, business.id, 'compliance', 'dpo'))
    ).key;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await stack?.close();
  });

  /** `leadflow privacy …` in this process: its exit code and what it printed. */
  const runPrivacyCommand = async (args: string[], env: { apiUrl: string; apiKey: string | undefined }) => {
    const { exitCode, output } = await cliInProcess(['privacy', ...args], {
      LEADFLOW_API_URL: env.apiUrl,
      LEADFLOW_API_KEY: env.apiKey,
    });
    return { exitCode, output };
  };
  const run = (args: string[], apiKey: string | undefined = compliance) => runPrivacyCommand(args, { apiUrl, apiKey });

  it('opens an export request, confirms it as the owner, shows it and prints the export', async () => {
    const phone = await daytimePhone(71);
    const capture = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${owner}`)
      .send({ name: 'Leopold Hartigan', phone, consent: { text: 'Texts OK. Reply STOP to opt out.' } });
    const leadId = capture.body.id as string;
    await expect.poll(() => stack.database.db.lead.count({ where: { id: leadId } }), { timeout: 30_000 }).toBe(1);

    const opened = await run([
      'open',
      'export',
      '--lead',
      leadId,
      '--verify',
      'business_confirmation',
      '--agent-name',
      'Kin & Co',
      '--agent-evidence',
      'letter 7',
    ]);
    expect(opened.exitCode).toBe(0);
    const id = opened.output.match(
      /^request ([0-9a-f-]{36}) \(export\) — awaiting_verification, waiting for verification/,
    )?.[1];
    expect(id).toBeTruthy();
    // Only an owner confirms for the business.
    expect(await run(['verify', id!, '--confirm'])).toMatchObject({
      exitCode: 1,
      output: expect.stringContaining('403'),
    });
    expect((await run(['verify', id!, '--confirm'], owner)).exitCode).toBe(0);
    await expect.poll(async () => (await run(['show', id!])).output, { timeout: 30_000 }).toMatch(/— completed/);
    const json = await run(['show', id!, '--json']);
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.output)).toMatchObject({ id, type: 'export', status: 'completed', leadId });
    // The list: open requests only by default, every one with --all, soonest due first.
    expect((await run(['list'])).output).not.toContain(id!);
    const all = await run(['list', '--all']);
    expect(all.exitCode).toBe(0);
    expect(all.output).toMatch(new RegExp(`^request ${id} \\(export\\) — completed`, 'm'));
    const listed = await request(stack.app)
      .get('/v1/privacy/requests')
      .query({ limit: 1 })
      .set('Authorization', `Bearer ${compliance}`);
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    expect(
      (
        await request(stack.app)
          .get('/v1/privacy/requests')
          .query({ open: 'maybe' })
          .set('Authorization', `Bearer ${compliance}`)
      ).status,
    ).toBe(400);
    const exported = await run(['export', id!]);
    expect(exported.exitCode).toBe(0);
    expect(JSON.parse(exported.output)).toMatchObject({
      format: 'leadflow.subject-export.v1',
      subject: { leadId, name: 'Leopold Hartigan', phone },
    });
  }, 60_000);

  it('answers one line for a bad id, a missing key and an unreachable API', async () => {
    expect(await run(['show', 'nope'])).toMatchObject({
      exitCode: 2,
      output: expect.stringMatching(/^leadflow: privacy show needs a request id/),
    });
    expect(await run(['show', '3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d'])).toEqual({
      exitCode: 1,
      output: 'leadflow: the API answered 404: privacy request not found',
    });
    expect(
      await runPrivacyCommand(['show', '3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d'], { apiUrl, apiKey: undefined }),
    ).toMatchObject({ exitCode: 1, output: expect.stringContaining('LEADFLOW_API_KEY') });
    expect(
      await runPrivacyCommand(['show', '3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d'], {
        apiUrl: 'http://127.0.0.1:9',
        apiKey: 'x',
      }),
    ).toMatchObject({ exitCode: 1, output: expect.stringContaining('cannot reach') });
    expect((await run(['open', 'deletion', '--lead', '3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d'])).exitCode).toBe(2);
  });
  it('is reachable through the leadflow CLI entry, as a user runs it', async () => {
    const phone = await daytimePhone(72);
    const capture = await request(stack.app)
      .post('/v1/leads')
      .set('Authorization', `Bearer ${owner}`)
      .send({ name: 'Ottoline Brack', phone, consent: { text: 'Texts OK. Reply STOP to opt out.' } });
    const leadId = capture.body.id as string;
    await expect.poll(() => stack.database.db.lead.count({ where: { id: leadId } }), { timeout: 30_000 }).toBe(1);
    const cli = (args: string[], apiKey: string) =>
      cliProcess(args, { LEADFLOW_API_URL: apiUrl, LEADFLOW_API_KEY: apiKey });
    const help = await cli(['--help'], owner);
    expect(help.stdout).toMatch(/privacy open .*\n.*privacy show|privacy export/s);
    const opened = await cli(
      ['privacy', 'open', 'access', '--lead', leadId, '--verify', 'business_confirmation'],
      owner,
    );
    expect(opened.code).toBe(0);
    const id = opened.stdout.match(/^request ([0-9a-f-]{36}) \(access\)/)?.[1];
    expect(id).toBeTruthy();
    await expect
      .poll(async () => (await cli(['privacy', 'show', id!], compliance)).stdout, { timeout: 30_000 })
      .toMatch(/— completed/);
    const exported = await cli(['privacy', 'export', id!], compliance);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ subject: { leadId, name: 'Ottoline Brack' } });
    // Errors: one line on stderr, a non-zero exit.
    const bad = await cli(['privacy', 'show', 'nope'], compliance);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')[0]).toMatch(/^leadflow: privacy show needs a request id/);
  }, 90_000);
});
