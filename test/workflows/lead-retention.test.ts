import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createActivities } from '../../activities';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { leadStateQuery, leadWorkflowId, type LeadWorkflowInput } from '../../workflows/lead/definitions';
import { freshDatabase, type TestDatabase } from '../support/database';
import { workflowBundle } from '../support/temporal';

/**
 * The lead workflow on the time-skipping server, with the real activities and the real
 * Postgres: months pass in seconds.
 */
describe('lead workflow over simulated months', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `lead-test-${randomUUID()}`;

  beforeAll(async () => {
    database = await freshDatabase();
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({ db: database.db, sms: createLocalOutboxProvider() }),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  it('replies at once, keeps the messages for 24 months of quiet, then deletes them', async () => {
    const business = await database.db.business.create({ data: { name: 'Rivera Plumbing' } });
    const leadId = randomUUID();
    const input: LeadWorkflowInput = {
      leadId,
      businessId: business.id,
      lead: { name: 'Dana Whitfield', phone: '+12125550142', source: 'api' },
      capturedAt: new Date(await env.currentTimeMs()).toISOString(),
      messagingRetentionDays: 730,
    };
    const handle = await env.client.workflow.start('leadWorkflow', {
      taskQueue,
      workflowId: leadWorkflowId(leadId),
      args: [input],
    });

    // First reply recorded in the outbox.
    await expect.poll(() => database.db.message.count({ where: { leadId } }), { timeout: 20_000 }).toBe(1);
    const [reply] = await database.db.message.findMany({ where: { leadId } });
    expect(reply).toMatchObject({ direction: 'outbound', provider: 'local', status: 'sent' });
    expect(reply!.body).toContain('Reply STOP to opt out');

    await env.sleep('30 days');
    const after30 = await handle.query(leadStateQuery);
    expect(after30.status).toBe('contacted');
    expect(after30.nextAction?.kind).toBe('retention_delete');
    const deletesAt = Date.parse(after30.nextAction!.at);
    expect(deletesAt - Date.parse(input.capturedAt)).toBeGreaterThanOrEqual(730 * 86_400_000);
    expect(await database.db.message.count({ where: { leadId } })).toBe(1);

    await env.sleep('700 days');
    expect(await database.db.message.count({ where: { leadId } })).toBe(1);

    const final = await handle.result();
    expect(final.status).toBe('retention_deleted');
    expect(await database.db.message.count({ where: { leadId } })).toBe(0);
    expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(deletesAt);
  });
});
