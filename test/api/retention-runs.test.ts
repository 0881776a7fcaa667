import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey } from '../../api/routes/businesses';
import { withTenant } from '../../db/tenant';
import { retentionDays } from '../../domain/retention';
import { ensureSchedules } from '../../worker/schedules';
import { createBusiness } from '../support/business';
import { startStack, type Stack } from '../support/stack';

const DAY = 86_400_000;

describe('retention runs: the API, and the daily schedule on the dev server', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const key = async (businessId: string, role: 'owner' | 'compliance' | 'operator') =>
    (await withTenant(stack.database.db, businessId, (tx) => createKey(tx, businessId, role, role))).key;
  const expiredLogs = async (businessId: string, n: number) => {
    const at = new Date(Date.now() - retentionDays('ai_logs') * DAY - 3_600_000);
    await stack.database.db.eventLog.createMany({
      data: Array.from({ length: n }, () => ({ businessId, category: 'ai', event: 'reply_written', createdAt: at })),
    });
  };
  const finished = async (auth: string, id: string) => {
    let body:
      | {
          status: string;
          report: { totals: Record<string, { deleted: number; wouldDelete: number; keptByHold: number }> };
        }
      | undefined;
    await expect
      .poll(
        async () => {
          const res = await request(stack.app)
            .get(`/v1/compliance/retention-runs/${id}`)
            .set('Authorization', `Bearer ${auth}`);
          body = res.body;
          return res.body.status;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe('completed');
    return body!;
  };

  it('starts a dry run and a real run for the caller’s business; other tenants get 404', async () => {
    const mine = await createBusiness(stack.database.db);
    const other = await createBusiness(stack.database.db);
    await expiredLogs(mine.id, 4);
    await expiredLogs(other.id, 2);
    const compliance = await key(mine.id, 'compliance');

    const dry = await request(stack.app)
      .post('/v1/compliance/retention-runs')
      .set('Authorization', `Bearer ${compliance}`)
      .send({ dryRun: true });
    expect(dry.status).toBe(202);
    expect(dry.body).toMatchObject({ status: 'running', dryRun: true });
    expect(dry.headers.location).toBe(`/v1/compliance/retention-runs/${dry.body.id}`);
    const dryRun = await finished(compliance, dry.body.id);
    expect(dryRun.report.totals.ai_logs).toMatchObject({ wouldDelete: 4, deleted: 0 });
    expect(await stack.database.db.eventLog.count({ where: { businessId: mine.id } })).toBe(4);

    const real = await request(stack.app)
      .post('/v1/compliance/retention-runs')
      .set('Authorization', `Bearer ${compliance}`)
      .send({ categories: ['ai_logs'] });
    expect(real.status).toBe(202);
    expect(real.body.dryRun).toBe(false);
    const done = await finished(compliance, real.body.id);
    expect(done.report.totals.ai_logs).toMatchObject({ deleted: 4 });
    expect(Object.keys(done.report.totals)).toEqual(['ai_logs']);
    expect(await stack.database.db.eventLog.count({ where: { businessId: mine.id } })).toBe(0);
    // Only the caller's business: the other tenant's expired logs wait for the platform sweep.
    expect(await stack.database.db.eventLog.count({ where: { businessId: other.id } })).toBe(2);

    const theirs = await key(other.id, 'owner');
    expect(
      (
        await request(stack.app)
          .get(`/v1/compliance/retention-runs/${real.body.id}`)
          .set('Authorization', `Bearer ${theirs}`)
      ).status,
    ).toBe(404);
    expect(
      (
        await request(stack.app)
          .get(`/v1/compliance/retention-runs/${randomUUID()}`)
          .set('Authorization', `Bearer ${compliance}`)
      ).status,
    ).toBe(404);
  });

  it('refuses other roles and names the bad field', async () => {
    const business = await createBusiness(stack.database.db);
    const operator = await key(business.id, 'operator');
    const owner = await key(business.id, 'owner');
    expect(
      (
        await request(stack.app)
          .post('/v1/compliance/retention-runs')
          .set('Authorization', `Bearer ${operator}`)
          .send({})
      ).status,
    ).toBe(403);
    const badFlag = await request(stack.app)
      .post('/v1/compliance/retention-runs')
      .set('Authorization', `Bearer ${owner}`)
      .send({ dryRun: 'yes' });
    expect(badFlag.status).toBe(400);
    expect(badFlag.body.error.message).toMatch(/^dryRun:/);
    const badCategory = await request(stack.app)
      .post('/v1/compliance/retention-runs')
      .set('Authorization', `Bearer ${owner}`)
      .send({ categories: ['cancelled_account'] });
    expect(badCategory.status).toBe(400);
    expect(badCategory.body.error.message).toMatch(/^categories\.0:/);
  });

  it('creates the daily sweep schedule once (overlap: skip), pausable, and a trigger runs a platform-wide sweep', async () => {
    const scheduleId = `retention-sweep-${randomUUID()}`;
    const business = await createBusiness(stack.database.db);
    await expiredLogs(business.id, 3);
    expect(await ensureSchedules(stack.client, { taskQueue: stack.taskQueue, scheduleId })).toEqual({
      created: [scheduleId],
    });
    // A second worker start changes nothing, and keeps an operator's pause.
    const handle = stack.client.schedule.getHandle(scheduleId);
    await handle.pause('operator pause');
    expect(await ensureSchedules(stack.client, { taskQueue: stack.taskQueue, scheduleId })).toEqual({ created: [] });
    const described = await handle.describe();
    expect(described.state.paused).toBe(true);
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }] });
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'retentionSweepWorkflow',
      taskQueue: stack.taskQueue,
    });
    await handle.unpause();

    await handle.trigger();
    let workflowId: string | undefined;
    await expect
      .poll(
        async () => {
          const d = await handle.describe();
          workflowId = d.info.recentActions[0]?.action.workflow.workflowId;
          return workflowId;
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBeTruthy();
    const result = (await stack.client.workflow.getHandle(workflowId!).result()) as { runId: string; status: string };
    expect(result.status).toBe('completed');
    const run = await stack.database.db.retentionRun.findUniqueOrThrow({ where: { id: result.runId } });
    expect(run).toMatchObject({ businessId: null, triggeredBy: 'schedule', dryRun: false, status: 'completed' });
    expect(await stack.database.db.eventLog.count({ where: { businessId: business.id } })).toBe(0);
    await handle.delete();
  });
});
