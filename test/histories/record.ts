/**
 * Records the workflow histories of a release into test/histories/<release>/, for the
 * replay test (test/workflows/replay-histories.test.ts) to run every later version against.
 *
 *   npx tsx test/histories/record.ts <release>        e.g. wave1
 *
 * Run it on a clean checkout of the release (see docs/upgrading.md): it drives that
 * checkout's workflows, with its real activities and a throwaway Postgres, on Temporal's
 * time-skipping server, through the paths a workflow of that release can be in.
 * The people are invented (555 numbers). Payloads run encrypted as in production and are
 * decoded before they are written, so replay needs no key (see README.md here).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { derivePrivacyKeys } from '../../domain/crypto/privacy-keys';
import { ensureTestServer } from '../../scripts/toolchain/temporal';
import { startLocalPostgres } from '../../scripts/toolchain/postgres';
import { markJobInvoicePaid } from '../../services/invoices/job-invoices';
import { createStripeClient } from '../../services/invoices/stripe-client';
import { accountSubscriptionSignal, accountWorkflowId } from '../../workflows/account/definitions';
import { leadWorkflowClient } from '../../services/leads/lead-workflow-client';
import { receiveMissedCall } from '../../services/leads/missed-call';
import {
  eraseSignal,
  handBackSignal,
  leadWorkflowId,
  legalHoldSignal,
  subscriptionSignal,
  type LeadState,
} from '../../workflows/lead/definitions';
import { jobOf } from '../../workflows/lead/job';
import {
  DAY_MS,
  privacyRequestWorkflowId,
  resendCodeSignal,
  verificationSignal,
  type PrivacyRequestInput,
} from '../../workflows/privacy/definitions';
import { startStripeFake } from '../fakes/stripe-fake';
import { createBusiness } from '../support/business';
import { skipTo } from '../support/clock';
import { createScratchDatabase } from '../support/database';
import { createLeadHarnessWith, type LeadHarness } from '../support/lead-harness';
import { historyToFile } from './history-file';

type History = temporal.api.history.v1.IHistory;

const NY = 'America/New_York';
const MONDAY = 1;
const TUESDAY = 2;
const HOUR = 3_600_000;
const WEEKDAYS = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '08:00', end: '17:00' }]]),
);
/** Visits on Tuesdays and Thursdays only: a Thursday visit's next free Tuesday is the week after. */
const TUE_THU = { tue: [{ start: '10:00', end: '17:00' }], thu: [{ start: '10:00', end: '17:00' }] };
const REVIEW_URL = 'https://g.page/r/rivera-plumbing/review';

const release = process.argv[2];
if (!release || !/^[a-z0-9][a-z0-9._-]*$/.test(release)) {
  console.error('usage: npx tsx test/histories/record.ts <release>   (lower-case letters, digits, . _ -)');
  process.exit(2);
}
const only = process.argv.slice(3);
const outDir = resolve(dirname(fileURLToPath(import.meta.url)), release);

type Scenario = (h: LeadHarness, r: Recorder) => Promise<void>;

interface Recorder {
  /** Waits until the workflow is idle, then writes every run of it (oldest first) as <name>[-runN].json. */
  save(name: string, workflowId: string): Promise<void>;
  /** Polls until `check` holds (real time: activities run in real time on the time-skipping server). */
  until(what: string, check: () => Promise<boolean>): Promise<void>;
  sent(leadId: string, n: number): Promise<void>;
  status(leadId: string, status: LeadState['status']): Promise<void>;
}

const SCENARIOS: Record<string, Scenario> = {
  async 'lead-first-reply-follow-ups'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550101' } });
    await r.sent(leadId, 1);
    await h.sleep('61 minutes');
    await r.sent(leadId, 2);
    await h.sleep('1 day');
    await r.sent(leadId, 3);
    await r.save('lead-first-reply-follow-ups', workflowId);
  },

  async 'lead-quiet-hours'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, hour: 23, minute: 30 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550102' } });
    await r.until('the capture is recorded', async () => (await h.state(leadId)).recorded);
    await h.sleep('9 hours');
    await r.sent(leadId, 1);
    await r.save('lead-quiet-hours', workflowId);
  },

  async 'lead-conversation'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550103';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'How much do you charge for a drain cleaning?' });
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: 'HELP' });
    await r.sent(leadId, 3);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.sent(leadId, 4);
    await h.text({ businessId: business.id, from: phone, body: 'No thanks, found someone else' });
    await r.status(leadId, 'closed');
    await r.sent(leadId, 5);
    await r.save('lead-conversation', workflowId);
  },

  async 'lead-inbound-first'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 11 });
    const leadId = await h.text({ businessId: business.id, from: '+12125550104', body: 'Is anyone available today?' });
    await r.sent(leadId, 1);
    await r.save('lead-inbound-first', leadWorkflowId(leadId));
  },

  async 'lead-booking-reminders-retention'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550105';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.sleep('61 minutes');
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.sent(leadId, 3);
    await h.text({ businessId: business.id, from: phone, body: '3' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 4);
    const booking = (await h.state(leadId)).booking!;
    const start = Date.parse(booking.start);
    await h.sleep(start - 24 * HOUR - (await h.env.currentTimeMs()) + 60_000);
    await r.sent(leadId, 5);
    await h.sleep(start - 2 * HOUR - (await h.env.currentTimeMs()) + 60_000);
    await r.sent(leadId, 6);
    await h.sleep(Date.parse(booking.end) - (await h.env.currentTimeMs()) + 3 * HOUR);
    await r.status(leadId, 'completed');
    await h.sleep('731 days');
    await r.status(leadId, 'retention_deleted');
    await r.save('lead-booking-reminders-retention', workflowId);
  },

  async 'lead-reschedule-cancel'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550106';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Can you schedule me for a visit?' });
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: '1' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    await h.text({ businessId: business.id, from: phone, body: 'Can we do a different day?' });
    await r.status(leadId, 'offered');
    await r.sent(leadId, 4);
    await h.text({ businessId: business.id, from: phone, body: 'the second one' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 5);
    await h.text({ businessId: business.id, from: phone, body: 'Please cancel my appointment' });
    await r.status(leadId, 'conversing');
    await r.sent(leadId, 6);
    await r.save('lead-reschedule-cancel', workflowId);
  },

  async 'lead-book-slot-update'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550107';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'When can someone come by?' });
    await r.status(leadId, 'offered');
    const slot = (await h.state(leadId)).offer!.slots[1]!;
    const result = await h.env.client.workflow
      .getHandle(workflowId)
      .executeUpdate('bookSlot', { args: [{ start: slot.start }] });
    if (!(result as { ok: boolean }).ok) throw new Error('bookSlot refused');
    await r.sent(leadId, 3);
    await h.sleep('30 minutes');
    await r.save('lead-book-slot-update', workflowId);
  },

  async 'lead-stop-start'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550108';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.sleep('61 minutes');
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: '  Stop. ' });
    await r.status(leadId, 'opted_out');
    await r.sent(leadId, 3);
    await h.sleep('2 days');
    await h.text({ businessId: business.id, from: phone, body: 'START' });
    await r.status(leadId, 'conversing');
    await r.sent(leadId, 4);
    await r.save('lead-stop-start', workflowId);
  },

  async 'lead-stop-after-booking'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550109';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'sure, schedule me' });
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: 'the last one' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    await h.text({ businessId: business.id, from: phone, body: 'STOP' });
    await r.sent(leadId, 4);
    await h.sleep('5 days');
    await r.save('lead-stop-after-booking', workflowId);
  },

  async 'lead-handoff-manual'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550110';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.env.client.workflow.getHandle(workflowId).executeUpdate('manualMessage', {
      args: [{ leadId, text: 'Hi, this is Luis from the shop. I can come by at 4 today.', requestId: 'r1' }],
    });
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: 'Great, see you then' });
    await h.sleep('2 days');
    await r.save('lead-handoff-manual', workflowId);
  },

  async 'lead-handoff-human'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550111';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Can I talk to a real person please' });
    await r.status(leadId, 'handed_off');
    await r.sent(leadId, 2);
    await h.sleep('2 days');
    await r.save('lead-handoff-human', workflowId);
  },

  async 'lead-retention-deletion'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550112' } });
    await r.sent(leadId, 1);
    // The follow-ups (the last a week in) are activity too: 24 months from the last of them.
    await h.sleep('745 days');
    await r.status(leadId, 'retention_deleted');
    await r.save('lead-retention-deletion', workflowId);
  },

  async 'lead-legal-hold'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550113' } });
    await r.sent(leadId, 1);
    const handle = h.env.client.workflow.getHandle(workflowId);
    await h.database.db.lead.update({
      where: { id: leadId },
      data: { legalHoldAt: new Date(), legalHoldReason: 'litigation', legalHoldBy: 'recorder' },
    });
    await handle.signal(legalHoldSignal, { held: true });
    await r.until('the hold is in the state', async () => (await h.state(leadId)).legalHold);
    await h.sleep('800 days');
    await h.database.db.lead.update({
      where: { id: leadId },
      data: { legalHoldAt: null, legalHoldReason: null, legalHoldBy: null },
    });
    await handle.signal(legalHoldSignal, { held: false });
    await r.status(leadId, 'retention_deleted');
    await r.save('lead-legal-hold', workflowId);
  },

  async 'lead-subscription-paused'(h, r) {
    const business = await createBusiness(h.database.db, { subscriptionStatus: 'past_due' });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550114' } });
    await r.until('the capture is recorded', async () => (await h.state(leadId)).recorded);
    await h.sleep('2 days');
    await h.database.db.business.update({ where: { id: business.id }, data: { subscriptionStatus: 'active' } });
    await h.env.client.workflow.getHandle(workflowId).signal(subscriptionSignal, { active: true });
    await r.sent(leadId, 1);
    await h.env.client.workflow.getHandle(workflowId).signal(subscriptionSignal, { active: false });
    await h.sleep('2 days');
    await r.save('lead-subscription-paused', workflowId);
  },

  async 'lead-erasure'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550115';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.sent(leadId, 2);
    const handle = h.env.client.workflow.getHandle(workflowId);
    // What the deletion request's workflow sends before it deletes the rows.
    await handle.signal(eraseSignal, { requestId: randomUUID() });
    await handle.result();
    await r.save('lead-erasure', workflowId);
  },

  async 'lead-continue-as-new'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550116';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    for (let i = 0; i < 20; i += 1) {
      await h.text({ businessId: business.id, from: phone, body: 'thanks!' });
      await r.sent(leadId, i + 2);
    }
    await r.until('a second run', async () => (await h.state(leadId)).run >= 2);
    await r.save('lead-continue-as-new', workflowId);
  },

  async 'account-pause-resume'(h, r) {
    const business = await createBusiness(h.database.db);
    await startAccount(h, r, business.id);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550117' } });
    await r.sent(leadId, 1);
    await subscription(h, business.id, 'past_due');
    await r.until('the lead holds', async () => !(await h.state(leadId)).automationActive);
    await h.sleep('2 days');
    await subscription(h, business.id, 'active');
    await r.until('the lead resumes', async () => (await h.state(leadId)).automationActive);
    await r.save('account-pause-resume', accountWorkflowId(business.id));
  },

  async 'account-cancel-purge-billing'(h, r) {
    const business = await createBusiness(h.database.db, { stripeCustomerId: `cus_rec${randomUUID().slice(0, 8)}` });
    await startAccount(h, r, business.id);
    await skipTo(h.env, { zone: NY, weekday: 3, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550118' } });
    await r.sent(leadId, 1);
    await h.database.db.billingRecord.create({
      data: {
        businessId: business.id,
        stripeEventId: `evt_${randomUUID()}`,
        type: 'invoice.paid',
        amountCents: 4900,
        currency: 'usd',
        occurredAt: new Date(await h.env.currentTimeMs()),
      },
    });
    await subscription(h, business.id, 'canceled');
    const exists = () => h.database.db.business.count({ where: { id: business.id } });
    await r.until('the export window is set', async () => (await accountView(h, business.id)).purgeAt !== null);
    await h.sleep(31 * DAY_MS);
    await r.until('the tenant is purged', async () => (await exists()) === 0);
    await h.sleep(2558 * DAY_MS);
    await r.until('the account workflow completes', async () => {
      const { status } = await h.env.client.workflow.getHandle(accountWorkflowId(business.id)).describe();
      return status.name === 'COMPLETED';
    });
    await r.save('account-cancel-purge-billing', accountWorkflowId(business.id));
  },

  async 'account-legal-hold'(h, r) {
    const business = await createBusiness(h.database.db);
    await startAccount(h, r, business.id);
    await subscription(h, business.id, 'canceled');
    const handle = h.env.client.workflow.getHandle(accountWorkflowId(business.id));
    await h.database.db.business.update({
      where: { id: business.id },
      data: { legalHoldAt: new Date(), legalHoldReason: 'litigation', legalHoldBy: 'key:recorder' },
    });
    await handle.signal(legalHoldSignal, { held: true });
    await h.sleep(31 * DAY_MS);
    await r.until(
      'it waits for the hold',
      async () => (await accountView(h, business.id)).status === 'waiting_legal_hold',
    );
    await h.database.db.business.update({
      where: { id: business.id },
      data: { legalHoldAt: null, legalHoldReason: null, legalHoldBy: null },
    });
    await handle.signal(legalHoldSignal, { held: false });
    await r.until('the tenant is purged', async () => (await accountView(h, business.id)).status === 'purged');
    await r.save('account-legal-hold', accountWorkflowId(business.id));
  },

  async 'privacy-access-deadlines'(h, r) {
    const business = await createBusiness(h.database.db);
    const { requestId, handle } = await privacyRequest(h, business.id, {
      type: 'access',
      method: 'business_confirmation',
      verified: false,
    });
    await h.sleep(31 * DAY_MS);
    await r.until('escalated', async () => (await request(h, requestId)).escalatedAt !== null);
    await h.database.db.privacyRequest.update({
      where: { id: requestId },
      data: { verifiedAt: new Date(), status: 'verified' },
    });
    await handle.signal(verificationSignal, { outcome: 'verified' });
    await handle.result();
    await r.save('privacy-access-deadlines', handle.workflowId);
  },

  async 'privacy-code-resend-locked'(h, r) {
    const business = await createBusiness(h.database.db);
    const { requestId, handle } = await privacyRequest(h, business.id, {
      type: 'export',
      method: 'code_to_phone',
      verified: false,
    });
    await r.until('a code is sent', async () => (await request(h, requestId)).codeHash !== null);
    await handle.signal(resendCodeSignal, { at: new Date(await h.env.currentTimeMs()).toISOString() });
    await h.sleep('1 hour');
    await handle.signal(verificationSignal, { outcome: 'locked' });
    await handle.result();
    await r.save('privacy-code-resend-locked', handle.workflowId);
  },

  async 'privacy-restriction'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550119' } });
    await r.sent(leadId, 1);
    const { handle } = await privacyRequest(h, business.id, {
      type: 'restriction',
      method: 'business_confirmation',
      verified: true,
      subjectId: leadId,
    });
    await handle.result();
    await r.until('the lead is restricted', async () => (await h.state(leadId)).restricted);
    await r.save('privacy-restriction', handle.workflowId);
    await r.save('lead-restricted', leadWorkflowId(leadId));
  },

  async 'privacy-deletion'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const { leadId } = await h.startLead({ businessId: business.id, lead: { phone: '+12125550120' } });
    await r.sent(leadId, 1);
    const { handle } = await privacyRequest(h, business.id, {
      type: 'deletion',
      method: 'business_confirmation',
      verified: true,
      subjectId: leadId,
      holdPollMs: HOUR,
    });
    await handle.result();
    // The lead's own history is unreadable now (its key is destroyed): lead-erasure covers it.
    await r.save('privacy-deletion', handle.workflowId);
  },

  async 'retention-sweep'(h, r) {
    const db = h.database.db;
    const business = await createBusiness(db);
    const old = new Date((await h.env.currentTimeMs()) - 800 * DAY_MS);
    const lead = await db.lead.create({
      data: {
        id: randomUUID(),
        businessId: business.id,
        phone: '+12125550121',
        name: 'Sam Placeholder',
        lastActivityAt: old,
        createdAt: old,
      },
    });
    for (let i = 0; i < 3; i += 1)
      await db.message.create({
        data: {
          businessId: business.id,
          leadId: lead.id,
          direction: 'outbound',
          body: `placeholder ${i}`,
          provider: 'local',
          providerId: `SM${randomUUID().replace(/-/g, '')}`,
          createdAt: old,
        },
      });
    for (const dryRun of [true, false]) {
      const runId = randomUUID();
      const workflowId = `sweep-${runId}`;
      await h.env.client.workflow.execute('retentionSweepWorkflow', {
        taskQueue: h.taskQueue,
        workflowId,
        args: [{ runId, triggeredBy: 'recorder', dryRun, batchSize: 2 }],
      });
      await r.save(dryRun ? 'retention-sweep-dry-run' : 'retention-sweep', workflowId);
    }
  },

  // ---- Recorded from wave 3 on: the missed call, the job, the hand-back and a Spanish lead. ----

  async 'lead-missed-call'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550131';
    const result = await receiveMissedCall(
      {
        db: h.database.appDb,
        leads: leadWorkflowClient({ temporal: h.env.client, taskQueue: h.taskQueue }),
        leadCodec: null,
      },
      {
        businessId: business.id,
        from: phone,
        callSid: `CA${randomUUID().replace(/-/g, '')}`,
        reason: 'no-answer',
        at: new Date(await h.env.currentTimeMs()),
      },
    );
    if (result.outcome !== 'texting') throw new Error(`missed call not texted: ${result.outcome}`);
    opened.add(leadWorkflowId(result.leadId));
    await r.sent(result.leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.sent(result.leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: '1' });
    await r.status(result.leadId, 'booked');
    await r.sent(result.leadId, 3);
    await r.save('lead-missed-call', leadWorkflowId(result.leadId));
  },

  async 'lead-job-updates'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550132';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.status(leadId, 'offered');
    await h.text({ businessId: business.id, from: phone, body: '1' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    const handle = h.env.client.workflow.getHandle(workflowId);
    const booking = (await h.state(leadId)).booking!;
    await h.sleep(Date.parse(booking.start) - (await h.env.currentTimeMs()) - 30 * 60_000);
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'en_route', technicianName: 'Luis', etaMinutes: 20 }] });
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'in_progress' }] });
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'finished', amountCents: 18_500 }] });
    await r.until('the finished text', async () => (await h.outbox(leadId)).some((m) => m.kind === 'reply'));
    await r.save('lead-job-updates', workflowId);
  },

  async 'lead-hand-back'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550133';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    const handle = h.env.client.workflow.getHandle(workflowId);
    await handle.executeUpdate('manualMessage', {
      args: [{ leadId, text: 'Hi, this is Luis from the office. Are mornings good for you?', requestId: 'rec-1' }],
    });
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: 'Mornings work, what does a drain cleaning cost?' });
    await r.status(leadId, 'handed_off');
    await handle.signal(handBackSignal);
    await r.status(leadId, 'conversing');
    await h.text({ businessId: business.id, from: phone, body: 'Is there a charge for coming out?' });
    await r.sent(leadId, 3);
    await r.save('lead-hand-back', workflowId);
  },

  async 'lead-spanish'(h, r) {
    const business = await createBusiness(h.database.db);
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550134';
    const { leadId, workflowId } = await h.startLead({
      businessId: business.id,
      lead: { phone, source: 'widget', language: 'es', message: 'Se me rompió el calentador' },
    });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Necesito una cita, ¿qué tienen el jueves?' });
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: 'la primera por favor' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    await h.text({ businessId: business.id, from: phone, body: 'PARAR' });
    await r.status(leadId, 'opted_out');
    await r.save('lead-spanish', workflowId);
  },

  // ---- Recorded from wave 4 on: services and technicians, the invoice and review, a moved job, a no-show. ----

  async 'lead-which-service'(h, r) {
    const business = await createBusiness(h.database.db);
    const db = h.database.db;
    const services = await db.service.findMany({ where: { businessId: business.id } });
    const install = await db.service.create({
      data: { businessId: business.id, name: 'Water heater install', durationMinutes: 180 },
    });
    const inspection = services.find((s) => s.name === 'Water heater inspection')!;
    const drain = services.find((s) => s.name === 'Drain cleaning')!;
    const [marco, lena] = await Promise.all(
      ['Marco Diaz', 'Lena Park'].map((name) =>
        db.technician.create({ data: { businessId: business.id, name, weeklyHours: WEEKDAYS } }),
      ),
    );
    await db.technicianService.createMany({
      data: [
        { businessId: business.id, technicianId: marco!.id, serviceId: install.id },
        { businessId: business.id, technicianId: marco!.id, serviceId: inspection.id },
        { businessId: business.id, technicianId: lena!.id, serviceId: drain.id },
      ],
    });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550151';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Can someone come out and look at my water heater?' });
    await r.until('the which_service question', async () => (await h.state(leadId)).serviceQuestion === true);
    await r.sent(leadId, 2);
    await h.text({ businessId: business.id, from: phone, body: 'the inspection please' });
    await r.status(leadId, 'offered');
    await r.sent(leadId, 3);
    await h.text({ businessId: business.id, from: phone, body: '1' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 4);
    const booking = (await h.state(leadId)).booking!;
    const row = await db.appointment.findUniqueOrThrow({ where: { id: booking.appointmentId } });
    if (row.serviceId !== inspection.id || row.technicianId !== marco!.id)
      throw new Error('the inspection was not booked with the technician who does it');
    await r.save('lead-which-service', workflowId);
  },

  async 'lead-invoice-review'(h, r) {
    const business = await createBusiness(h.database.db, {
      stripeConnectAccountId: 'acct_1RiveraPlumbing',
      reviewUrl: REVIEW_URL,
    });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550152';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.status(leadId, 'offered');
    await h.text({ businessId: business.id, from: phone, body: '1' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    const handle = h.env.client.workflow.getHandle(workflowId);
    const booking = (await h.state(leadId)).booking!;
    await h.sleep(Date.parse(booking.start) - (await h.env.currentTimeMs()) - 30 * 60_000);
    const beforeJob = await remindersSent(h, r, leadId, 3);
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'en_route', technicianName: 'Luis', etaMinutes: 20 }] });
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'in_progress' }] });
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'finished', amountCents: 18_500 }] });
    // On my way, the thank-you, the invoice's link.
    await r.sent(leadId, beforeJob + 3);
    await r.until('the invoice is open', async () => (await h.state(leadId)).invoice?.status === 'open');
    await h.sleep(3 * DAY_MS + 60_000);
    await r.sent(leadId, beforeJob + 4);
    // What the signed invoice.paid webhook does: store the payment, then signal the workflow.
    const invoice = await h.database.db.jobInvoice.findFirstOrThrow({ where: { leadId } });
    const paidAt = new Date(await h.env.currentTimeMs());
    const paid = await markJobInvoicePaid(h.database.appDb, {
      businessId: business.id,
      invoiceId: invoice.id,
      stripeInvoiceId: invoice.stripeInvoiceId!,
      account: invoice.stripeAccountId,
      paidAt,
    });
    if (!paid) throw new Error('the invoice was not marked paid');
    await handle.signal('invoicePaid', { invoiceId: paid.invoiceId, paidAt: paid.paidAt });
    // The thanks, the review request.
    await r.sent(leadId, beforeJob + 6);
    await h.sleep(3 * DAY_MS + 60_000);
    await r.sent(leadId, beforeJob + 7);
    await r.save('lead-invoice-review', workflowId);
  },

  async 'lead-moved-job'(h, r) {
    const business = await createBusiness(h.database.db, { businessHours: TUE_THU });
    const local = (iso: string) => DateTime.fromISO(iso, { zone: NY });
    await skipTo(h.env, { zone: NY, weekday: MONDAY, hour: 10 });
    const phone = '+12125550153';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'When can someone come by?' });
    await r.status(leadId, 'offered');
    const offered = (await h.state(leadId)).offer!.slots;
    const thursday = offered.findIndex((s) => local(s.start).weekday === 4 && local(s.start).hour === 10);
    if (thursday < 0) throw new Error('no Thursday 10:00 offered');
    await h.text({ businessId: business.id, from: phone, body: String(thursday + 1) });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    // The lead moves it by text to next Tuesday.
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 16 });
    await h.text({
      businessId: business.id,
      from: phone,
      body: 'Something came up, can we reschedule? Next Tuesday works',
    });
    await r.status(leadId, 'offered');
    await r.sent(leadId, 4);
    const slots = (await h.state(leadId)).offer!.slots;
    const tuesday = slots.findIndex((s) => local(s.start).weekday === 2);
    if (tuesday < 0) throw new Error('no Tuesday offered');
    await h.text({ businessId: business.id, from: phone, body: String(tuesday + 1) });
    await r.until('moved to Tuesday', async () => (await h.state(leadId)).booking?.start === slots[tuesday]!.start);
    await r.sent(leadId, 5);
    // Tuesday's reminders, then the technician sets out.
    const start = Date.parse(slots[tuesday]!.start);
    await h.sleep(start - 30 * 60_000 - (await h.env.currentTimeMs()));
    const beforeJob = await remindersSent(h, r, leadId, 5);
    const handle = h.env.client.workflow.getHandle(workflowId);
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'en_route', etaMinutes: 20 }] });
    await r.sent(leadId, beforeJob + 1);
    // The van broke down: the business moves the visit to Thursday; the job starts over as scheduled.
    const moved = await handle.executeUpdate('moveAppointment', {
      args: [{ start: local(slots[tuesday]!.start).plus({ days: 2 }).toUTC().toISO()! }],
    });
    if (!(moved as { ok: boolean }).ok) throw new Error('moveAppointment refused');
    await r.until('the job is scheduled again', async () => jobOf(await h.state(leadId))?.status === 'scheduled');
    // The lead is told of the move.
    await r.sent(leadId, beforeJob + 2);
    const newStart = Date.parse((await h.state(leadId)).booking!.start);
    await h.sleep(newStart - 30 * 60_000 - (await h.env.currentTimeMs()));
    const beforeAgain = await remindersSent(h, r, leadId, beforeJob + 2);
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'en_route', etaMinutes: 15 }] });
    await r.sent(leadId, beforeAgain + 1);
    await r.save('lead-moved-job', workflowId);
  },

  async 'lead-review-stopped'(h, r) {
    const business = await createBusiness(h.database.db, { reviewUrl: REVIEW_URL });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550154';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.status(leadId, 'offered');
    // A midday visit: the job is finished outside quiet hours, so the review request goes at once.
    const midday = (await h.state(leadId)).offer!.slots.findIndex((slot) => {
      const hour = DateTime.fromISO(slot.start, { zone: NY }).hour;
      return hour >= 10 && hour <= 15;
    });
    if (midday < 0) throw new Error('no midday visit offered');
    await h.text({ businessId: business.id, from: phone, body: String(midday + 1) });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    const handle = h.env.client.workflow.getHandle(workflowId);
    const booking = (await h.state(leadId)).booking!;
    await h.sleep(Date.parse(booking.start) - (await h.env.currentTimeMs()) - 30 * 60_000);
    const beforeJob = await remindersSent(h, r, leadId, 3);
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'en_route', etaMinutes: 20 }] });
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'in_progress' }] });
    await handle.executeUpdate('jobUpdate', { args: [{ status: 'finished' }] });
    // On my way, the thank-you, the review request (nothing invoiced).
    await r.sent(leadId, beforeJob + 3);
    await r.until(
      'the review reminder is planned',
      async () => (await h.state(leadId)).nextAction?.kind === 'review_reminder',
    );
    await handle.signal('stopReviewRequest');
    await r.until(
      'the review request is stopped',
      async () => (await h.state(leadId)).nextAction?.kind !== 'review_reminder',
    );
    await h.sleep(4 * DAY_MS);
    await r.save('lead-review-stopped', workflowId);
  },

  async 'lead-no-show'(h, r) {
    const business = await createBusiness(h.database.db, { reviewUrl: REVIEW_URL });
    await skipTo(h.env, { zone: NY, weekday: TUESDAY, hour: 10 });
    const phone = '+12125550155';
    const { leadId, workflowId } = await h.startLead({ businessId: business.id, lead: { phone } });
    await r.sent(leadId, 1);
    await h.text({ businessId: business.id, from: phone, body: 'Do you have anything Thursday morning?' });
    await r.status(leadId, 'offered');
    await h.text({ businessId: business.id, from: phone, body: '1' });
    await r.status(leadId, 'booked');
    await r.sent(leadId, 3);
    const booking = (await h.state(leadId)).booking!;
    await h.sleep(Date.parse(booking.start) - (await h.env.currentTimeMs()) + 10 * 60_000);
    const marked = await h.env.client.workflow
      .getHandle(workflowId)
      .executeUpdate('appointmentOutcome', { args: [{ outcome: 'no_show' }] });
    if ((marked as { status?: string }).status !== 'no_show') throw new Error('no-show refused');
    await h.sleep('4 days');
    await r.save('lead-no-show', workflowId);
  },
};

/**
 * Once the time skipped reaches a booking's start, waits for its reminders (none, one or two:
 * one due in quiet hours before the visit is dropped) and answers how many texts the lead has.
 */
async function remindersSent(h: LeadHarness, r: Recorder, leadId: string, textsBefore: number) {
  await r.until('no reminder still due', async () => !(await h.state(leadId)).nextAction?.kind.startsWith('reminder'));
  const texts = textsBefore + (await h.state(leadId)).booking!.remindersSent.length;
  await r.sent(leadId, texts);
  return texts;
}

async function startAccount(h: LeadHarness, r: Recorder, businessId: string) {
  await h.env.client.workflow.start('accountWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: accountWorkflowId(businessId),
    args: [{ businessId }],
  });
  opened.add(accountWorkflowId(businessId));
  await r.until('the account is loaded', async () => (await accountView(h, businessId)).status !== undefined);
}

const accountView = (h: LeadHarness, businessId: string) =>
  h.env.client.workflow
    .getHandle(accountWorkflowId(businessId))
    .query<{ status: string; purgeAt: string | null }>('accountState');

/** What the Stripe webhook does: store the state, then signal. */
async function subscription(h: LeadHarness, businessId: string, status: string) {
  const at = new Date(await h.env.currentTimeMs());
  await h.database.db.business.update({
    where: { id: businessId },
    data: { subscriptionStatus: status, cancelledAt: status === 'canceled' ? at : null },
  });
  await h.env.client.workflow
    .getHandle(accountWorkflowId(businessId))
    .signal(accountSubscriptionSignal, { status, at: at.toISOString() });
}

const request = (h: LeadHarness, id: string) => h.database.db.privacyRequest.findUniqueOrThrow({ where: { id } });

async function privacyRequest(
  h: LeadHarness,
  businessId: string,
  opts: Pick<PrivacyRequestInput, 'type' | 'method' | 'verified' | 'holdPollMs'> & { subjectId?: string },
) {
  const db = h.database.db;
  const subjectId = opts.subjectId ?? randomUUID();
  if (!opts.subjectId)
    await db.lead.create({ data: { id: subjectId, businessId, phone: '+12125550199', name: 'Robin Example' } });
  const receivedAt = new Date(await h.env.currentTimeMs());
  const dueAt = new Date(receivedAt.getTime() + 30 * DAY_MS);
  const requestId = randomUUID();
  await db.privacyRequest.create({
    data: {
      id: requestId,
      businessId,
      leadId: subjectId,
      type: opts.type,
      status: opts.verified ? 'verified' : 'awaiting_verification',
      verificationMethod: opts.method,
      verifiedAt: opts.verified ? receivedAt : null,
      dueAt,
      createdAt: receivedAt,
    },
  });
  const input: PrivacyRequestInput = {
    requestId,
    businessId,
    subjectId,
    type: opts.type,
    method: opts.method,
    receivedAt: receivedAt.toISOString(),
    dueAt: dueAt.toISOString(),
    verified: opts.verified,
    ...(opts.holdPollMs ? { holdPollMs: opts.holdPollMs } : {}),
  };
  const handle = await h.env.client.workflow.start('privacyRequestWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: privacyRequestWorkflowId(requestId),
    args: [input],
  });
  opened.add(handle.workflowId);
  return { requestId, handle };
}

/** Every payload in a history, with where it sits, so it can be swapped for its decoded form. */
function payloadSlots(value: unknown, found: Array<{ parent: Record<string, unknown>; key: string }> = []) {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return found;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (!child || typeof child !== 'object' || child instanceof Uint8Array) continue;
    const c = child as Record<string, unknown>;
    if (c.data instanceof Uint8Array && c.metadata && typeof c.metadata === 'object')
      found.push({ parent: value as Record<string, unknown>, key });
    else payloadSlots(child, found);
  }
  return found;
}

function recorder(h: LeadHarness): Recorder {
  const codecs = h.dataConverter.payloadCodecs ?? [];
  async function decode(history: History): Promise<History> {
    for (const { parent, key } of payloadSlots(history)) {
      let payloads = [parent[key] as Payload];
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
      const encoding = Buffer.from(payloads[0]!.metadata?.encoding ?? new Uint8Array()).toString();
      if (encoding.includes('encrypted')) throw new Error('a payload stayed encrypted: its key is gone');
      parent[key] = payloads[0];
    }
    return history;
  }
  async function until(what: string, check: () => Promise<boolean>) {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  async function idle(workflowId: string) {
    await until(`${workflowId} idle`, async () => {
      const { raw, status } = await h.env.client.workflow.getHandle(workflowId).describe();
      if (status.name !== 'RUNNING') return true;
      return (raw.pendingActivities?.length ?? 0) === 0 && !raw.pendingWorkflowTask;
    });
  }
  return {
    until,
    sent: (leadId, n) => until(`${n} texts to the lead`, async () => (await h.outbox(leadId)).length >= n),
    status: (leadId, status) => until(`status ${status}`, async () => (await h.state(leadId)).status === status),
    async save(name, workflowId) {
      await idle(workflowId);
      const runs: History[] = [];
      let runId: string | undefined;
      for (;;) {
        const history = await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
        runs.unshift(await decode(history));
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
        if (!runId) break;
      }
      runs.forEach((history, i) => {
        const file = join(outDir, runs.length === 1 ? `${name}.json` : `${name}-run${i + 1}.json`);
        writeFileSync(file, historyToFile(history));
        console.log(`recorded ${file} (${history.events?.length} events)`);
      });
    },
  };
}

/** Every workflow a scenario started, to stop once it is recorded. */
const opened = new Set<string>();

/** The harness, noting each workflow it starts. */
function tracked(h: LeadHarness): LeadHarness {
  return {
    ...h,
    async startLead(opts) {
      const started = await h.startLead(opts);
      opened.add(started.workflowId);
      return started;
    },
    async text(opts) {
      const leadId = await h.text(opts);
      opened.add(leadWorkflowId(leadId));
      return leadId;
    },
  };
}

const scratch = mkdtempSync(join(tmpdir(), 'leadflow-histories-'));
const pg = await startLocalPostgres({ dataDir: join(scratch, 'pg') });
// Jobs finished with an amount are invoiced, as in production: through a Stripe-speaking fake.
const stripe = await startStripeFake();
const h = await createLeadHarnessWith({
  testServerPath: await ensureTestServer(),
  database: createScratchDatabase(pg.adminUrl),
  privacyKeys: derivePrivacyKeys(randomBytes(32)),
  stripe: createStripeClient({ secretKey: 'sk_test_recorder', apiBaseUrl: stripe.url }),
});
let failed = false;
try {
  mkdirSync(outDir, { recursive: true });
  const r = recorder(h);
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only.length > 0 && !only.includes(name)) continue;
    console.log(`scenario ${name}`);
    await scenario(tracked(h), r);
    // Whatever still runs is saved: stop it, so later scenarios' skipped time does not wake it.
    for (const id of opened)
      await h.env.client.workflow
        .getHandle(id)
        .terminate('recorded')
        .catch(() => {});
    opened.clear();
  }
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await h.close();
  await stripe.close();
  await pg.stop();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
