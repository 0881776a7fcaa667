import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestServer } from '../scripts/toolchain/temporal';
import { startLocalPostgres } from '../scripts/toolchain/postgres';
import { createStripeClient } from '../services/invoices/stripe-client';
import { invoicePaidSignal, jobUpdate, leadWorkflowId } from '../workflows/lead/definitions';
import { startStripeFake } from '../test/fakes/stripe-fake';
import { createBusiness } from '../test/support/business';
import { skipTo } from '../test/support/clock';
import { createScratchDatabase } from '../test/support/database';
import { createLeadHarnessWith } from '../test/support/lead-harness';
import { countActions, traceActions } from './lib/history-actions';

export interface ActionsResult {
  actions: number;
  byKind: Record<string, number>;
  runs: number;
  maxEventsPerRun: number;
  smsSent: number;
}

/**
 * Temporal actions of one typical lead life, counted from its histories: capture, first
 * reply, two follow-ups, a short conversation (asks for a visit, picks a time), the
 * booking, both reminders, the job (on my way, started, finished with an amount), its
 * Stripe invoice (a Stripe-speaking fake) paid after the first reminder, the thank-you, the
 * review request and its reminder, and the retention deletion two years later. Runs on the
 * time-skipping server.
 */
export async function actionsPerLead(): Promise<ActionsResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'leadflow-bench-actions-'));
  const pg = await startLocalPostgres({ dataDir: join(scratch, 'pg') });
  const stripe = await startStripeFake();
  const h = await createLeadHarnessWith({
    testServerPath: await ensureTestServer(),
    database: createScratchDatabase(pg.adminUrl),
    stripe: createStripeClient({ secretKey: 'sk_test_bench', apiBaseUrl: stripe.url }),
  });
  try {
    const business = await createBusiness(h.database.db, { reviewUrl: 'https://g.page/r/bench/review' });
    const NY = 'America/New_York';
    await skipTo(h.env, { zone: NY, weekday: 2, hour: 10 });
    const phone = '+12125550142';
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone } });
    const sent = async (n: number) => {
      for (let i = 0; i < 400 && (await h.outbox(leadId)).length < n; i += 1)
        await new Promise((r) => setTimeout(r, 50));
      if ((await h.outbox(leadId)).length < n) throw new Error(`expected ${n} texts`);
    };
    await sent(1);
    await h.sleep('61 minutes');
    await sent(2);
    await h.sleep('1 day');
    await sent(3);
    // A short conversation: the lead asks for a visit and picks one of the three times.
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await sent(4);
    await h.text({ businessId: business.id, from: phone, body: '3' });
    await sent(5);
    const state = await h.state(leadId);
    const start = Date.parse(state.booking!.start);
    await h.sleep(start - 24 * 3_600_000 - (await h.env.currentTimeMs()) + 60_000);
    await sent(6);
    await h.sleep(start - 2 * 3_600_000 - (await h.env.currentTimeMs()) + 60_000);
    await sent(7);
    // The visit: on my way, started, finished with the amount; the invoice's link is texted.
    const handle = h.env.client.workflow.getHandle(leadWorkflowId(leadId));
    await h.sleep(start - 30 * 60_000 - (await h.env.currentTimeMs()));
    await handle.executeUpdate(jobUpdate, { args: [{ status: 'en_route', etaMinutes: 25, technicianName: 'Maria' }] });
    await handle.executeUpdate(jobUpdate, { args: [{ status: 'in_progress' }] });
    await handle.executeUpdate(jobUpdate, { args: [{ status: 'finished', amountCents: 18_500 }] });
    await sent(10);
    // Paid after the first reminder (Stripe's webhook signals the workflow once): thanks, then the review request.
    await h.sleep('3 days');
    await sent(11);
    await h.sleep('1 hour');
    const invoiceId = (await h.state(leadId)).invoice!.invoiceId!;
    await handle.signal(invoicePaidSignal, { invoiceId, paidAt: new Date(await h.env.currentTimeMs()).toISOString() });
    await sent(13);
    await h.sleep('3 days');
    await sent(14);
    await h.sleep('731 days');
    for (let i = 0; i < 400 && (await h.database.db.message.count({ where: { leadId } })) > 0; i += 1)
      await new Promise((r) => setTimeout(r, 50));

    let runId: string | undefined;
    let firstRun = true;
    const total: ActionsResult = { actions: 0, byKind: {}, runs: 0, maxEventsPerRun: 0, smsSent: 14 };
    const runs: Array<{ events: Parameters<typeof countActions>[0] }> = [];
    for (;;) {
      const history = await h.env.client.workflow.getHandle(leadWorkflowId(leadId), runId).fetchHistory();
      runs.unshift({ events: history.events ?? [] });
      runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
      if (!runId) break;
    }
    if (process.env.BENCH_ACTIONS_TRACE)
      for (const run of runs) console.log(traceActions(run.events).join('\n'), '\n--- continue-as-new');
    for (const run of runs) {
      const counted = countActions(run.events, { firstRun });
      firstRun = false;
      total.actions += counted.actions;
      for (const [k, v] of Object.entries(counted.byKind)) total.byKind[k] = (total.byKind[k] ?? 0) + v;
      total.runs += 1;
      total.maxEventsPerRun = Math.max(total.maxEventsPerRun, run.events.length);
    }
    return total;
  } finally {
    await h.close();
    await stripe.close();
    await pg.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await actionsPerLead(), null, 2));
}
