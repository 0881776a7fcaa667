import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { verifyReceiptChains } from '../../db/deletion-receipts';
import { createRetentionSweepActivities } from '../../activities/retention/sweep-activities';
import { retentionDays, type RetentionOverrides } from '../../domain/retention';
import { createLogger } from '../../logging/logger';
import { createTemplateWriter } from '../../providers/ai/template-writer';
import { createLocalOutboxProvider } from '../../providers/sms/local-outbox';
import { createTwilioSmsProvider } from '../../providers/sms/twilio';
import { startTwilioFake } from '../fakes/twilio-fake';
import {
  emptyReport,
  EVENT_LOG_CATEGORY,
  SWEEP_CATEGORIES,
  type RetentionReport,
  type SweepCategory,
} from '../../workflows/retention/definitions';
import { createBusiness } from '../support/business';
import { freshDatabase, type TestDatabase } from '../support/database';
import { workflowBundle } from '../support/temporal';

const DAY = 86_400_000;
const MARGIN = 10 * 60_000;
type Fate = { category: SweepCategory; businessId: string; id: string; fate: 'deleted' | 'kept' | 'held' };

describe('retention sweep: expired rows go, nothing else, resumable', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `retention-${randomUUID()}`;
  /** Set by a test: stops the run after its first committed batch, as a killed worker would. */
  let killAfterFirstBatch: string | null = null;

  beforeAll(async () => {
    database = await freshDatabase();
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
    const log = createLogger({ name: 'test', level: 'silent' });
    const sms = createLocalOutboxProvider();
    const deps = {
      db: database.appDb,
      sms,
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log,
    };
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: {
        ...createActivities(deps),
        ...createRetentionSweepActivities({
          db: database.appDb,
          sms,
          log,
          async onBatchCommitted({ runId, deleted }) {
            if (killAfterFirstBatch !== runId || deleted === 0) return;
            killAfterFirstBatch = null;
            await env.client.workflow.getHandle(`sweep-${runId}`).terminate('simulated crash after the first batch');
            throw new Error('worker killed');
          },
        }),
      },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  const db = () => database.db;
  const ago = (ms: number) => new Date(Date.now() - ms);

  /** One business's data on both sides of each period, and under a lead's hold. */
  async function seed(businessId: string, overrides: RetentionOverrides): Promise<Fate[]> {
    const fates: Fate[] = [];
    const days = (c: SweepCategory) => retentionDays(c, overrides) * DAY;
    const heldLead = await lead(businessId, ago(days('messaging_logs') + 5 * DAY), { held: true });
    for (const category of ['ai_logs', 'sms_delivery_logs', 'error_logs'] as const) {
      const log = async (age: number, fate: Fate['fate'], leadId: string | null = null) => {
        const row = await db().eventLog.create({
          data: {
            businessId,
            leadId,
            category: EVENT_LOG_CATEGORY[category],
            event: 'test',
            detail: {},
            createdAt: ago(age),
          },
        });
        fates.push({ category, businessId, id: String(row.id), fate });
      };
      await log(days(category) + MARGIN, 'deleted');
      await log(days(category) + 400 * DAY, 'deleted');
      await log(days(category) - MARGIN, 'kept');
      await log(days(category) - DAY, 'kept');
      await log(days(category) + MARGIN, 'held', heldLead);
    }
    // The shortened period of one tenant is the other's kept row: 20 days is past 7, not past 30.
    const twenty = await db().eventLog.create({
      data: { businessId, category: 'ai', event: 'test', createdAt: ago(20 * DAY) },
    });
    fates.push({
      category: 'ai_logs',
      businessId,
      id: String(twenty.id),
      fate: 20 * DAY > days('ai_logs') ? 'deleted' : 'kept',
    });

    const messages = async (leadId: string, n: number, fate: Fate['fate']) => {
      for (let i = 0; i < n; i += 1) {
        const m = await db().message.create({
          data: {
            businessId,
            leadId,
            direction: i % 2 ? 'inbound' : 'outbound',
            body: `message ${i}`,
            provider: 'local',
            providerId: `SM${randomUUID().replace(/-/g, '')}`,
          },
        });
        fates.push({ category: 'messaging_logs', businessId, id: m.id, fate });
      }
    };
    await messages(await lead(businessId, ago(days('messaging_logs') + MARGIN)), 4, 'deleted');
    await messages(await lead(businessId, ago(days('messaging_logs') + 100 * DAY)), 3, 'deleted');
    await messages(await lead(businessId, ago(days('messaging_logs') - MARGIN)), 3, 'kept');
    await messages(await lead(businessId, ago(days('messaging_logs') - DAY)), 2, 'kept');
    await messages(heldLead, 3, 'held');

    const billing = async (age: number, fate: Fate['fate']) => {
      const r = await db().billingRecord.create({
        data: {
          businessId,
          stripeEventId: `evt_${randomUUID()}`,
          type: 'invoice.paid',
          amountCents: 4900,
          currency: 'usd',
          occurredAt: ago(age),
        },
      });
      fates.push({ category: 'billing_records', businessId, id: r.id, fate });
    };
    await billing(days('billing_records') + MARGIN, 'deleted');
    await billing(days('billing_records') - DAY, 'kept');
    return fates;
  }

  let phone = 0;
  async function lead(businessId: string, lastActivityAt: Date, opts: { held?: boolean } = {}) {
    phone += 1;
    const row = await db().lead.create({
      data: {
        id: randomUUID(),
        businessId,
        phone: `+1212555${String(2000 + phone)}`,
        name: 'Dana Whitfield',
        message: 'Water heater leaking',
        lastActivityAt,
        createdAt: lastActivityAt,
        ...(opts.held ? { legalHoldAt: new Date(), legalHoldReason: 'litigation', legalHoldBy: 'test' } : {}),
      },
    });
    return row.id;
  }

  async function exists(f: Fate): Promise<boolean> {
    if (f.category === 'messaging_logs') return (await db().message.count({ where: { id: f.id } })) === 1;
    if (f.category === 'billing_records') return (await db().billingRecord.count({ where: { id: f.id } })) === 1;
    return (await db().eventLog.count({ where: { id: BigInt(f.id) } })) === 1;
  }

  const run = (runId: string, args: { dryRun?: boolean; batchSize?: number; businessId?: string | null }) =>
    env.client.workflow.execute('retentionSweepWorkflow', {
      taskQueue,
      workflowId: `sweep-${runId}`,
      args: [{ runId, triggeredBy: 'test', ...args }],
    });
  const report = async (runId: string) => {
    const row = await db().retentionRun.findUniqueOrThrow({ where: { id: runId } });
    return { ...row, report: row.report as unknown as RetentionReport };
  };
  const tally = (fates: Fate[], fate: Fate['fate']) =>
    Object.fromEntries(
      SWEEP_CATEGORIES.map((c) => [c, fates.filter((f) => f.category === c && f.fate === fate).length]),
    );

  it('dry run reports exactly what the real run then deletes, after a crash and a re-run', async () => {
    const plain = await createBusiness(db());
    const shortened: RetentionOverrides = { ai_logs: 7, messaging_logs: 365, error_logs: 60 };
    const short = await createBusiness(db(), { retentionOverrides: shortened });
    const heldBusiness = await createBusiness(db());
    const fates = [...(await seed(plain.id, {})), ...(await seed(short.id, shortened))];
    const businessHeldFates = await seed(heldBusiness.id, {});
    await db().business.update({
      where: { id: heldBusiness.id },
      data: { legalHoldAt: new Date(), legalHoldReason: 'audit', legalHoldBy: 'test' },
    });
    const all = [...fates, ...businessHeldFates];
    // The business hold keeps everything of that tenant that would otherwise go.
    const keptByHold = (c: SweepCategory) =>
      fates.filter((f) => f.category === c && f.fate === 'held').length +
      businessHeldFates.filter((f) => f.category === c && f.fate !== 'kept').length;

    // Dry run: counts and samples, nothing deleted.
    const dryId = randomUUID();
    await run(dryId, { dryRun: true, businessId: null });
    const dry = await report(dryId);
    expect(dry.status).toBe('completed');
    expect(dry.dryRun).toBe(true);
    const wouldDelete = tally(fates, 'deleted');
    for (const c of SWEEP_CATEGORIES) {
      expect(dry.report.totals[c]?.wouldDelete ?? 0, c).toBe(wouldDelete[c]);
      expect(dry.report.totals[c]?.keptByHold ?? 0, c).toBe(keptByHold(c));
      expect(dry.report.totals[c]?.deleted ?? 0, c).toBe(0);
      for (const id of dry.report.samples[c] ?? [])
        expect(fates.find((f) => f.id === id)?.fate, `${c} sample ${id}`).toBe('deleted');
    }
    expect(dry.report.businesses[short.id]?.ai_logs?.wouldDelete).toBe(
      fates.filter((f) => f.businessId === short.id && f.category === 'ai_logs' && f.fate === 'deleted').length,
    );
    expect(dry.report.totals.messaging_logs?.leadTexts).toBe(4); // two expired leads in each free business
    for (const f of all) expect(await exists(f), `${f.category} ${f.id}`).toBe(true);

    // Real run in batches of 3, killed after its first batch, then run again under the same id.
    const runId = randomUUID();
    killAfterFirstBatch = runId;
    await expect(run(runId, { batchSize: 3, businessId: null })).rejects.toThrow();
    const killed = await report(runId);
    expect(killed.status).toBe('running');
    const firstBatch = Object.values(killed.report.totals).reduce((n, c) => n + (c?.deleted ?? 0), 0);
    expect(firstBatch).toBeGreaterThan(0);
    expect(firstBatch).toBeLessThanOrEqual(3);

    await run(runId, { batchSize: 3, businessId: null });
    const done = await report(runId);
    expect(done.status).toBe('completed');
    expect(done.finishedAt).not.toBeNull();
    for (const c of SWEEP_CATEGORIES) {
      expect(done.report.totals[c]?.deleted ?? 0, c).toBe(dry.report.totals[c]?.wouldDelete ?? 0);
      expect(done.report.totals[c]?.keptByHold ?? 0, c).toBe(keptByHold(c));
    }
    expect(done.report.totals.messaging_logs?.leadTexts).toBe(4);
    for (const f of all)
      expect(await exists(f), `${f.category} ${f.id} (${f.fate})`).toBe(
        f.fate === 'kept' || f.fate === 'held' || businessHeldFates.includes(f),
      );
    expect(
      await db().lead.count({
        where: { message: { not: null }, legalHoldAt: null, businessId: { not: heldBusiness.id } },
      }),
    ).toBe(4);

    // Receipts: one per deleting batch, adding up to what was deleted, nothing counted twice.
    const receipts = await db().deletionReceipt.findMany({ where: { cause: `sweep:${runId}` } });
    expect(receipts.length).toBe(done.report.batches);
    const summed: Record<string, number> = {};
    for (const r of receipts)
      for (const [k, v] of Object.entries(r.counts as Record<string, number>)) summed[k] = (summed[k] ?? 0) + v;
    expect(summed).toMatchObject({
      ai_logs: wouldDelete.ai_logs,
      sms_delivery_logs: wouldDelete.sms_delivery_logs,
      error_logs: wouldDelete.error_logs,
      billing_records: wouldDelete.billing_records,
      messages: wouldDelete.messaging_logs,
      lead_texts: 4,
    });
    expect(receipts.every((r) => r.businessId !== heldBusiness.id && r.subjectId === null)).toBe(true);
    expect(await verifyReceiptChains(database.appDb)).toMatchObject({ ok: true });

    // A second run finds nothing left to delete.
    const again = randomUUID();
    await run(again, { businessId: null });
    const second = await report(again);
    expect(Object.values(second.report.totals).reduce((n, c) => n + (c?.deleted ?? 0), 0)).toBe(0);
    expect(await db().deletionReceipt.count({ where: { cause: `sweep:${again}` } })).toBe(0);
  });

  it('continues as new when its history grows, and carries its place and counts across', async () => {
    const businesses = await Promise.all([0, 1, 2].map(() => createBusiness(db())));
    const fates = (await Promise.all(businesses.map((b) => seed(b.id, {})))).flat();
    const runId = randomUUID();
    const handle = await env.client.workflow.start('retentionSweepWorkflow', {
      taskQueue,
      workflowId: `sweep-${runId}`,
      args: [{ runId, triggeredBy: 'test', businessId: null, batchSize: 1, historyLimit: 25 }],
    });
    await handle.result();
    // Each run of the chain started from the previous one's place: more than one run, one report.
    const first = await env.client.workflow.getHandle(`sweep-${runId}`, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    for (const f of fates) expect(await exists(f)).toBe(f.fate !== 'deleted');
    const { report: r, status } = await report(runId);
    expect(status).toBe('completed');
    const expected = tally(fates, 'deleted');
    for (const c of SWEEP_CATEGORIES) expect(r.totals[c]?.deleted ?? 0, c).toBe(expected[c]);
  });

  it('a business-scoped run touches only that business', async () => {
    const mine = await createBusiness(db());
    const other = await createBusiness(db());
    const minFates = await seed(mine.id, {});
    const otherFates = await seed(other.id, {});
    const runId = randomUUID();
    await run(runId, { businessId: mine.id });
    for (const f of minFates) expect(await exists(f)).toBe(f.fate !== 'deleted');
    for (const f of otherFates) expect(await exists(f)).toBe(true);
    const { report: r } = await report(runId);
    expect(Object.keys(r.businesses)).toEqual([mine.id]);
  });

  it('deletes the carrier’s copies before the rows (real Twilio adapter against the Twilio fake)', async () => {
    const fake = await startTwilioFake({ authToken: 'tw-token' });
    try {
      const sms = createTwilioSmsProvider({
        accountSid: 'AC00000000000000000000000000000001',
        authToken: 'tw-token',
        apiBaseUrl: fake.url,
      });
      const sweep = createRetentionSweepActivities({
        db: database.appDb,
        sms,
        log: createLogger({ name: 'test', level: 'silent' }),
      });
      const business = await createBusiness(db());
      const leadId = await lead(business.id, ago(retentionDays('messaging_logs') * DAY + DAY));
      const sids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const sent = await sms.send({
          from: business.smsNumber,
          to: '+12125550190',
          body: `reply ${i}`,
          clientRef: randomUUID(),
        });
        sids.push(sent.providerId);
        await db().message.create({
          data: {
            businessId: business.id,
            leadId,
            direction: 'outbound',
            body: `reply ${i}`,
            provider: 'twilio',
            providerId: sent.providerId,
          },
        });
      }
      await db().message.createMany({
        data: [0, 1].map((i) => ({
          businessId: business.id,
          leadId,
          direction: 'inbound',
          body: `text ${i}`,
          provider: 'local',
        })),
      });
      expect(sids.every((sid) => fake.messages.has(sid))).toBe(true);

      const runId = randomUUID();
      await db().retentionRun.create({
        data: {
          id: runId,
          businessId: business.id,
          dryRun: false,
          triggeredBy: 'test',
          report: emptyReport(new Date(), ['messaging_logs']) as object,
        },
      });
      for (let i = 0; ; i += 1) {
        expect(i).toBeLessThan(10);
        if (
          (
            await sweep.sweepRetentionCategory({
              runId,
              businessId: business.id,
              category: 'messaging_logs',
              batchSize: 2,
              budgetMs: 0,
            })
          ).done
        )
          break;
      }
      expect(sids.filter((sid) => fake.messages.has(sid))).toEqual([]);
      expect(await db().message.count({ where: { leadId } })).toBe(0);
      const { report: r } = await report(runId);
      expect(r.totals.messaging_logs).toMatchObject({ deleted: 5, providerDeleted: 3, leadTexts: 1 });
      const receipts = await db().deletionReceipt.findMany({ where: { cause: `sweep:${runId}` } });
      expect(receipts.reduce((n, x) => n + (x.counts as { provider_messages: number }).provider_messages, 0)).toBe(3);
      expect(receipts.reduce((n, x) => n + (x.counts as { messages: number }).messages, 0)).toBe(5);
    } finally {
      await fake.close();
    }
  });

  it('one call walking many batches still deletes every carrier copy, wherever in the walk it lies', async () => {
    const fake = await startTwilioFake({ authToken: 'tw-token' });
    try {
      const sms = createTwilioSmsProvider({
        accountSid: 'AC00000000000000000000000000000001',
        authToken: 'tw-token',
        apiBaseUrl: fake.url,
      });
      const sweep = createRetentionSweepActivities({
        db: database.appDb,
        sms,
        log: createLogger({ name: 'test', level: 'silent' }),
      });
      const business = await createBusiness(db());
      const expired = ago(retentionDays('messaging_logs') * DAY + DAY);
      const leads = [];
      for (let i = 0; i < 6; i += 1) leads.push(await lead(business.id, expired));
      // Local messages everywhere; carrier copies only in the second and the last lead in key order.
      const ordered = [...leads].sort();
      const sids: string[] = [];
      for (const [i, leadId] of ordered.entries()) {
        await db().message.createMany({
          data: [0, 1, 2].map((n) => ({
            businessId: business.id,
            leadId,
            direction: 'inbound',
            body: `text ${n}`,
            provider: 'local',
          })),
        });
        if (i !== 1 && i !== ordered.length - 1) continue;
        const sent = await sms.send({
          from: business.smsNumber,
          to: '+12125550191',
          body: 'reply',
          clientRef: randomUUID(),
        });
        sids.push(sent.providerId);
        await db().message.create({
          data: {
            businessId: business.id,
            leadId,
            direction: 'outbound',
            body: 'reply',
            provider: 'twilio',
            providerId: sent.providerId,
          },
        });
      }
      const runId = randomUUID();
      await db().retentionRun.create({
        data: {
          id: runId,
          businessId: business.id,
          dryRun: false,
          triggeredBy: 'test',
          report: emptyReport(new Date(), ['messaging_logs']) as object,
        },
      });
      const step = await sweep.sweepRetentionCategory({
        runId,
        businessId: business.id,
        category: 'messaging_logs',
        batchSize: 2,
        budgetMs: 60_000,
      });
      expect(step.done).toBe(true);
      expect(sids.filter((sid) => fake.messages.has(sid))).toEqual([]);
      expect(await db().message.count({ where: { businessId: business.id } })).toBe(0);
      const { report: r } = await report(runId);
      expect(r.totals.messaging_logs).toMatchObject({ deleted: 20, providerDeleted: 2 });
    } finally {
      await fake.close();
    }
  });

  it('email logs go with messaging logs: a lead’s with the lead’s last activity, the others by age; holds keep theirs', async () => {
    const business = await createBusiness(db());
    const period = retentionDays('messaging_logs') * DAY;
    const expiredLead = await lead(business.id, ago(period + DAY));
    const activeLead = await lead(business.id, ago(DAY));
    const heldLead = await lead(business.id, ago(period + DAY), { held: true });
    const email = async (leadId: string | null, age: number) =>
      (
        await db().email.create({
          data: {
            businessId: business.id,
            leadId,
            fromAddress: 'Rivera Plumbing <hello@mail.example.com>',
            toAddress: leadId ? 'dana@example.net' : 'owner@example.com',
            subject: 'Following up',
            body: 'Still need the water heater looked at?',
            kind: leadId ? 'follow_up' : 'alert',
            provider: 'local',
            idempotencyKey: randomUUID(),
            createdAt: ago(age),
          },
        })
      ).id;
    const gone = [
      await email(expiredLead, period + DAY),
      // Recent, but its lead's whole messaging log has expired.
      await email(expiredLead, period - 10 * DAY),
      await email(null, period + MARGIN),
    ];
    const kept = [
      await email(activeLead, period + 10 * DAY), // an old email of a lead still active
      await email(heldLead, period + DAY),
      await email(null, period - DAY),
    ];

    const dry = randomUUID();
    await run(dry, { dryRun: true, businessId: business.id });
    expect((await report(dry)).report.totals.messaging_logs).toMatchObject({ emails: 3 });

    const runId = randomUUID();
    await run(runId, { businessId: business.id, batchSize: 2 });
    expect(await db().email.count({ where: { id: { in: gone } } })).toBe(0);
    expect(await db().email.count({ where: { id: { in: kept } } })).toBe(3);
    expect((await report(runId)).report.totals.messaging_logs).toMatchObject({ emails: 3 });
    const receipts = await db().deletionReceipt.findMany({ where: { cause: `sweep:${runId}` } });
    expect(receipts.reduce((n, r) => n + ((r.counts as { emails?: number }).emails ?? 0), 0)).toBe(3);
    expect(receipts.every((r) => r.chain === business.id)).toBe(true);
  });

  it('the lead workflow’s own messaging-log deletion takes the lead’s emails too', async () => {
    const business = await createBusiness(db());
    const leadId = await lead(business.id, ago(DAY));
    const other = await lead(business.id, ago(DAY));
    for (const id of [leadId, leadId, other])
      await db().email.create({
        data: {
          businessId: business.id,
          leadId: id,
          fromAddress: 'a@mail.example.com',
          toAddress: 'dana@example.net',
          subject: 's',
          body: 'b',
          kind: 'follow_up',
          provider: 'local',
          idempotencyKey: randomUUID(),
        },
      });
    const activities = createActivities({
      db: database.appDb,
      sms: createLocalOutboxProvider(),
      ai: null,
      templates: createTemplateWriter(),
      calendarFor: async () => null,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
    const result = await activities.deleteMessagingLogs({
      businessId: business.id,
      leadId,
      cause: 'policy:messaging_logs',
    });
    expect(await db().email.count({ where: { leadId } })).toBe(0);
    expect(await db().email.count({ where: { leadId: other } })).toBe(1);
    const receipt = await db().deletionReceipt.findUniqueOrThrow({ where: { id: result.receiptId! } });
    expect(receipt.counts).toMatchObject({ emails: 2 });
  });
  it("sweeps the invoices sent after jobs with billing records' 7 years, from their payment, keeping a held lead's", async () => {
    const business = await createBusiness(db());
    const period = retentionDays('billing_records', {}) * DAY;
    const freeLead = await lead(business.id, ago(30 * DAY));
    const heldLead = await lead(business.id, ago(30 * DAY), { held: true });
    const invoice = async (leadId: string, created: number, paid: number | null) =>
      (
        await db().jobInvoice.create({
          data: {
            businessId: business.id,
            leadId,
            appointmentId: randomUUID(),
            amountCents: 18_500,
            status: paid === null ? 'open' : 'paid',
            createdAt: ago(created),
            paidAt: paid === null ? null : ago(paid),
          },
        })
      ).id;
    const expired = [
      await invoice(freeLead, period + 40 * DAY, period + MARGIN),
      await invoice(freeLead, period + MARGIN, null),
      // Its lead is long gone (no foreign key): the invoice still expires on its own date.
      await invoice(randomUUID(), period + 90 * DAY, period + 80 * DAY),
    ];
    // Created more than 7 years ago but paid within them: the payment is the last transaction.
    const kept = [await invoice(freeLead, period + 10 * DAY, period - DAY), await invoice(freeLead, DAY, null)];
    const held = await invoice(heldLead, period + MARGIN, null);

    const dryId = randomUUID();
    await run(dryId, { dryRun: true, businessId: business.id });
    expect((await report(dryId)).report.totals.billing_records?.jobInvoices).toBe(3);
    expect(await db().jobInvoice.count({ where: { businessId: business.id } })).toBe(6);

    const runId = randomUUID();
    await run(runId, { batchSize: 2, businessId: business.id });
    const done = await report(runId);
    expect(done.report.totals.billing_records?.jobInvoices).toBe(3);
    const left = await db().jobInvoice.findMany({ where: { businessId: business.id }, select: { id: true } });
    expect(left.map((r) => r.id).sort()).toEqual([...kept, held].sort());
    expect(expired.some((id) => left.some((r) => r.id === id))).toBe(false);
    const receipts = await db().deletionReceipt.findMany({ where: { cause: `sweep:${runId}` } });
    expect(receipts.reduce((n, r) => n + ((r.counts as Record<string, number>).job_invoices ?? 0), 0)).toBe(3);
    expect(await verifyReceiptChains(database.appDb)).toMatchObject({ ok: true });
  });
});
