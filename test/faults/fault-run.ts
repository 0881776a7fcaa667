import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import Stripe from 'stripe';
import twilio from 'twilio';
import { daytimeNumbers } from '../../bench/lib/phones';
import { createLeadCodec } from '../../codec/lead-data-converter';
import { loadConfig } from '../../config/load-config';
import { createPrisma } from '../../db/prisma';
import { startLocalStack, type LocalStack } from '../../scripts/stack';
import { freePort } from '../../scripts/toolchain/free-port';
import { leadStateQuery, leadWorkflowId } from '../../workflows/lead/definitions';
import { startTwilioFake } from '../fakes/twilio-fake';

/**
 * Fault injection on the real local stack (`npm run test:faults`): leads are driven
 * through their lives by the API and signed Twilio webhooks while the worker is SIGKILLed,
 * the Temporal dev server restarted (same SQLite file) and Postgres stopped for a while.
 * Afterwards every lead must be where its inputs put it, every text at the carrier fake
 * exactly once, nothing after a STOP confirmation, no accepted capture lost.
 */

export interface FaultRunOptions {
  seed: number;
  leads: number;
  /** Seconds over which the leads start. */
  spreadSeconds: number;
  /** How long Postgres stays down. */
  postgresDownSeconds: number;
  /** How long the Temporal dev server stays down between its stop and its start. */
  temporalDownSeconds: number;
  workerKills: number;
  temporalRestart: boolean;
  postgresOutage: boolean;
  /** test:cluster: the real Temporal server, several API processes and workers, API restarts. */
  temporal?: 'dev' | 'server';
  apis?: number;
  workers?: number;
  apiRestarts?: number;
  /** Each worker's and API's output in a file here. */
  logDir?: string;
  /** Runs once the stack is up, before the first lead and fault. */
  beforeDrive?: (stack: LocalStack) => Promise<void>;
  /** More checks on the finished run; each returned line is a violation. */
  extraChecks?: (ctx: { client: Client; stack: LocalStack }) => Promise<string[]>;
  log: (line: string) => void;
}

export interface FaultRunResult {
  leads: number;
  sms: number;
  inbound: number;
  /** Requests answered 5xx during a fault and sent again, as a client or Twilio would. */
  retried: number;
  faults: string[];
  seconds: number;
  violations: string[];
}

const TWILIO_TOKEN = 'faults-twilio-token';
const TWILIO_SID = 'AC00000000000000000000000000000007';
const PUBLIC = 'http://127.0.0.1:9';
const STRIPE_SECRET = 'whsec_faults';
const consent = { text: 'I agree to receive texts about my request. Reply STOP to opt out.' };

/** mulberry32: the whole run (plans, timings, faults) follows from the seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

type Step = { text: string; expect: string[] };
interface Plan {
  name: string;
  /** 'api': captured through POST /v1/leads; 'sms': the person texts the business first. */
  origin: 'api' | 'sms';
  /** Kinds of text the capture (api) is answered with. */
  first: string[];
  steps: Step[];
  status: string;
  /** Another acceptable ending: its texts' kinds and the status they go with (a slot taken by another lead meanwhile). */
  or?: { kinds: string[]; status: string };
  /** The last text must be the STOP confirmation. */
  optedOut?: boolean;
}

const PLANS: Plan[] = [
  { name: 'quiet', origin: 'api', first: ['first_reply'], steps: [], status: 'contacted' },
  {
    name: 'question',
    origin: 'api',
    first: ['first_reply'],
    steps: [{ text: 'What are your prices for a visit?', expect: ['reply'] }],
    status: 'conversing',
  },
  {
    name: 'stop',
    origin: 'api',
    first: ['first_reply'],
    // The text after STOP must get no answer.
    steps: [
      { text: 'STOP', expect: ['opt_out_confirmation'] },
      { text: 'hello? are you there', expect: [] },
    ],
    status: 'opted_out',
    optedOut: true,
  },
  {
    name: 'book',
    origin: 'api',
    first: ['first_reply'],
    steps: [
      { text: "Yes please, I'd like to book an appointment", expect: ['reply'] },
      { text: 'Option 1 please', expect: ['confirmation'] },
    ],
    status: 'booked',
    // Every lead is offered the same first slots: one who picks a slot another took is offered fresh ones.
    or: { kinds: ['first_reply', 'reply', 'reply'], status: 'offered' },
  },
  {
    name: 'closed',
    origin: 'api',
    first: ['first_reply'],
    steps: [{ text: 'No thanks, found someone else', expect: ['reply'] }],
    status: 'closed',
  },
  {
    name: 'texted-first',
    origin: 'sms',
    first: [],
    steps: [{ text: 'Hi, what are your prices for a visit?', expect: ['first_reply'] }],
    status: 'conversing',
  },
];

interface LeadRun {
  index: number;
  phone: string;
  plan: Plan;
  startAt: number;
  /** Think time before each of its texts. */
  pauses: number[];
  leadId: string | null;
  inbound: number;
  problem: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runFaults(opts: FaultRunOptions): Promise<FaultRunResult> {
  const started = performance.now();
  const r = rng(opts.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-faults-'));
  const twilioFake = await startTwilioFake({ delayMs: 30 });
  let stack: LocalStack | undefined;
  const config = loadConfig({});
  const faults: string[] = [];
  const violations: string[] = [];
  try {
    stack = await startLocalStack({
      config,
      dataDir,
      log: () => {},
      stdio: process.env.FAULTS_VERBOSE === '1' ? 'inherit' : 'ignore',
      temporalPersistent: true,
      temporal: opts.temporal,
      apis: opts.apis,
      workers: opts.workers,
      logDir: opts.logDir,
      temporalPorts: { port: await freePort(), uiPort: false },
      apiPort: await freePort(),
      env: {
        // With a log folder, info too: test:cluster reads the workers' 'schedules created' lines.
        LOG_LEVEL: opts.logDir ? 'info' : 'warn',
        WORKER_METRICS_PORT: '0',
        TWILIO_ACCOUNT_SID: TWILIO_SID,
        TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
        TWILIO_API_BASE_URL: twilioFake.url,
        PUBLIC_BASE_URL: PUBLIC,
        STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      },
    });
    const s = stack;
    await opts.beforeDrive?.(s);
    const key = s.demo.ownerKey!;
    const owner = createPrisma({ databaseUrl: s.ownerDatabaseUrl, max: 2 });
    const business = await owner.business.update({
      where: { id: s.demo.businessId },
      data: { stripeCustomerId: `cus_faults${opts.seed}` },
    });
    await owner.$disconnect();

    const phones = daytimeNumbers(opts.leads, 300_000 + (opts.seed % 1000) * 1000);
    const leads: LeadRun[] = phones.map((phone, index) => ({
      index,
      phone,
      plan: r.pick(PLANS),
      startAt: r.next() * opts.spreadSeconds * 1000,
      pauses: Array.from({ length: 4 }, () => r.int(0, 1500)),
      leadId: null,
      inbound: 0,
      problem: null,
    }));
    const sidFor = (lead: LeadRun, step: number) =>
      `SM${(opts.seed >>> 0).toString(16).padStart(8, '0')}${lead.index.toString(16).padStart(8, '0')}${step.toString(16).padStart(16, '0')}`;

    // The fault timeline, inside the window in which leads are being driven.
    const span = opts.spreadSeconds * 1000;
    type Fault = { at: number; what: 'worker' | 'temporal' | 'postgres' | 'api' };
    const planned: Fault[] = [];
    for (let i = 0; i < opts.workerKills; i += 1)
      planned.push({ at: ((i + r.next()) * span) / Math.max(1, opts.workerKills), what: 'worker' });
    if (opts.temporalRestart) planned.push({ at: span * (0.25 + 0.15 * r.next()), what: 'temporal' });
    if (opts.postgresOutage) planned.push({ at: span * (0.55 + 0.15 * r.next()), what: 'postgres' });
    for (let i = 0; i < (opts.apiRestarts ?? 0); i += 1)
      planned.push({ at: span * (0.45 + 0.4 * r.next()), what: 'api' });
    planned.sort((a, b) => a.at - b.at);
    // Some leads start inside each outage, so captures and inbound texts meet the fault itself
    // (the others mostly wait on a text that cannot come while it lasts).
    const moved = new Set<LeadRun>();
    for (const f of planned.filter((p) => p.what !== 'worker')) {
      const pool = [
        ...leads.filter((l) => l.plan.origin === 'sms'),
        ...leads.filter((l) => l.plan.origin === 'api'),
      ].filter((l) => !moved.has(l));
      for (const lead of pool.slice(0, 8)) {
        if (r.next() < 0.5) continue;
        lead.startAt = f.at + 500 + r.next() * 4000;
        moved.add(lead);
      }
    }

    const t0 = Date.now();
    let driving = true;
    /** Requests answered 5xx (or not at all) and sent again. */
    let retried = 0;
    const injector = (async () => {
      for (const f of planned) {
        const wait = t0 + f.at - Date.now();
        if (wait > 0) await sleep(wait);
        if (!driving) return;
        const at = ((Date.now() - t0) / 1000).toFixed(1);
        if (f.what === 'worker') {
          await s.control.killWorker();
          const down = r.int(200, 3000);
          faults.push(`t=${at}s worker SIGKILL (down ${(down / 1000).toFixed(1)} s)`);
          await sleep(down);
          s.control.startWorker();
        } else if (f.what === 'temporal') {
          const t = performance.now();
          await s.control.restartTemporal(opts.temporalDownSeconds * 1000);
          const which = opts.temporal === 'server' ? 'Temporal server' : 'Temporal dev server';
          faults.push(`t=${at}s ${which} restarted (${((performance.now() - t) / 1000).toFixed(1)} s down)`);
        } else if (f.what === 'api') {
          // The last API process: the others keep serving, as in a rolling restart.
          const index = s.apiUrls.length - 1;
          const t = performance.now();
          const { killedAfterGrace } = await s.control.restartApi(index);
          faults.push(
            `t=${at}s API ${index + 1} of ${s.apiUrls.length} restarted (${killedAfterGrace ? 'still serving 30 s after SIGTERM, so SIGKILLed; ' : ''}${((performance.now() - t) / 1000).toFixed(1)} s until ready)`,
          );
        } else {
          await s.control.stopPostgres();
          await sleep(opts.postgresDownSeconds * 1000);
          await s.control.startPostgres();
          faults.push(`t=${at}s Postgres stopped for ${opts.postgresDownSeconds} s`);
        }
        opts.log(`fault: ${faults.at(-1)}`);
      }
    })();

    /** Retries as a client or Twilio would: until the answer is not a 5xx or a refused connection. */
    // With several API processes, requests are spread over them and a retry goes to the next one, as behind a balancer.
    const apiFor = (n: number) => s.apiUrls[n % s.apiUrls.length]!;
    const deliver = async (make: (attempt: number) => Promise<Response>): Promise<Response> => {
      const deadline = Date.now() + 240_000;
      for (let attempt = 0; ; attempt += 1) {
        try {
          const res = await make(attempt);
          if (res.status < 500) return res;
          await res.arrayBuffer();
          retried += 1;
        } catch {
          // the API process itself is fine; its answer may be cut by a fault
          retried += 1;
        }
        if (Date.now() > deadline) throw new Error('no answer other than 5xx for 240 s');
        await sleep(500);
      }
    };
    const capture = (lead: LeadRun) =>
      deliver((attempt) =>
        fetch(`${apiFor(lead.index + attempt)}/v1/leads`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'idempotency-key': `faults-${opts.seed}-${lead.index}`,
          },
          body: JSON.stringify({ name: 'Fault Lead', phone: lead.phone, consent }),
        }),
      );
    const twilioPost = (path: string, params: Record<string, string>, spread = 0) =>
      deliver((attempt) =>
        fetch(`${apiFor(spread + attempt)}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC}${path}`, params),
          },
          body: new URLSearchParams(params).toString(),
        }),
      );
    const textsTo = (phone: string) => twilioFake.sent.filter((m) => m.to === phone);
    const waitForTexts = async (lead: LeadRun, count: number) => {
      const deadline = Date.now() + 240_000;
      while (textsTo(lead.phone).length < count) {
        if (Date.now() > deadline) throw new Error(`waited 240 s for text ${count}, saw ${textsTo(lead.phone).length}`);
        await sleep(200);
      }
    };

    const drive = async (lead: LeadRun) => {
      await sleep(lead.startAt);
      let expected = 0;
      if (lead.plan.origin === 'api') {
        const res = await capture(lead);
        const body = (await res.json()) as { id?: string };
        if (res.status !== 202 || !body.id) throw new Error(`capture answered ${res.status}`);
        lead.leadId = body.id;
        expected += lead.plan.first.length;
        await waitForTexts(lead, expected);
      }
      for (const [i, step] of lead.plan.steps.entries()) {
        await sleep(lead.pauses[i] ?? 0);
        const params = {
          MessageSid: sidFor(lead, i),
          From: lead.phone,
          To: business.smsNumber!,
          Body: step.text,
          AccountSid: TWILIO_SID,
        };
        // Twilio retries a webhook it got no 2xx for; here every one is delivered 3 times besides.
        for (let n = 0; n < 3; n += 1) {
          const res = await twilioPost('/v1/webhooks/twilio/sms', params, lead.index + i + n);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`inbound webhook answered ${res.status}`);
        }
        lead.inbound += 1;
        expected += step.expect.length;
        if (step.expect.length > 0) await waitForTexts(lead, expected);
      }
    };
    await Promise.all(
      leads.map((lead) =>
        drive(lead).catch((err: unknown) => {
          lead.problem = (err as Error).message.replace(/\+\d{6,15}/g, '<phone>');
        }),
      ),
    );
    driving = false;
    await injector;
    opts.log(
      `all ${leads.length} leads driven after ${((Date.now() - t0) / 1000).toFixed(0)} s; letting stragglers arrive`,
    );
    // A duplicate would arrive after the expected text: give it time to show.
    await sleep(8_000);

    // Stripe: the same events delivered 3 times change things once.
    const stripe = new Stripe('sk_unused');
    const stripeEvent = (type: string, object: Record<string, unknown>) => ({
      id: `evt_faults_${opts.seed}_${type.replace(/\W/g, '')}`,
      object: 'event',
      type,
      created: Math.floor(Date.now() / 1000),
      data: { object },
      api_version: '2024-06-20',
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    });
    const invoice = stripeEvent('invoice.paid', {
      id: `in_faults${opts.seed}`,
      object: 'invoice',
      customer: business.stripeCustomerId,
      amount_paid: 4900,
      currency: 'usd',
    });
    const subscription = stripeEvent('customer.subscription.updated', {
      id: `sub_faults${opts.seed}`,
      object: 'subscription',
      customer: business.stripeCustomerId,
      status: 'active',
    });
    for (const event of [invoice, subscription]) {
      for (let n = 0; n < 3; n += 1) {
        const payload = JSON.stringify(event);
        const res = await deliver((attempt) =>
          fetch(`${apiFor(n + attempt)}/v1/webhooks/stripe`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET }),
            },
            body: payload,
          }),
        );
        const body = (await res.json()) as { duplicate?: boolean };
        if (res.status !== 200) violations.push(`stripe ${event.type} delivery ${n + 1} answered ${res.status}`);
        else if (body.duplicate !== n > 0)
          violations.push(`stripe ${event.type} delivery ${n + 1} duplicate=${String(body.duplicate)}`);
      }
    }

    // Checks.
    const db = createPrisma({ databaseUrl: s.ownerDatabaseUrl, max: 2 });
    const codec = createLeadCodec({ db, masterKey: s.env.ENCRYPTION_KEY! });
    const connection = await Connection.connect({ address: s.temporalAddress });
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: codec.dataConverter });
    try {
      const billing = await db.billingRecord.count({ where: { stripeEventId: invoice.id } });
      if (billing !== 1) violations.push(`stripe invoice.paid delivered 3 times left ${billing} billing records`);
      const after = await db.business.findUniqueOrThrow({ where: { id: business.id } });
      if (after.subscriptionStatus !== 'active')
        violations.push(`stripe replays left the subscription ${after.subscriptionStatus}`);

      const refOf = (cb: string | null) => (cb ? new URL(cb).searchParams.get('ref') : null);
      const refs = new Map<string, number>();
      for (const m of twilioFake.sent) {
        const ref = refOf(m.statusCallback) ?? `sid-${m.sid}`;
        refs.set(ref, (refs.get(ref) ?? 0) + 1);
      }
      for (const lead of leads) {
        const tag = `lead ${lead.leadId ?? `#${lead.index} (no id)`} [${lead.plan.name}]`;
        if (lead.problem) violations.push(`${tag}: ${lead.problem}`);
        if (!lead.leadId) {
          const row = await db.lead.findFirst({
            where: { businessId: business.id, phone: lead.phone },
            select: { id: true },
          });
          lead.leadId = row?.id ?? null;
          if (!lead.leadId) {
            violations.push(`${tag}: no lead row`);
            continue;
          }
        }
        const row = await db.lead.findUnique({ where: { id: lead.leadId }, select: { status: true } });
        if (!row) {
          violations.push(`${tag}: capture answered 202 but no lead row`);
          continue;
        }
        const expectedKinds0 = [...lead.plan.first, ...lead.plan.steps.flatMap((st) => st.expect)];
        const outbound = await db.message.findMany({
          where: { leadId: lead.leadId, direction: 'outbound' },
          orderBy: { createdAt: 'asc' },
          select: { id: true, kind: true, providerId: true, idempotencyKey: true },
        });
        const kinds = outbound.map((m) => m.kind);
        const alt = lead.plan.or && kinds.join(',') === lead.plan.or.kinds.join(',') ? lead.plan.or : null;
        const expectedKinds = alt?.kinds ?? expectedKinds0;
        const expectedStatus = alt?.status ?? lead.plan.status;
        if (row.status !== expectedStatus)
          violations.push(`${tag}: status ${row.status} in Postgres, expected ${expectedStatus}`);
        const state = await client.workflow
          .getHandle(leadWorkflowId(lead.leadId))
          .query(leadStateQuery)
          .catch((err: unknown) => ({ status: `query failed: ${(err as Error).name}` }));
        if (state.status !== expectedStatus)
          violations.push(`${tag}: workflow leadState ${state.status}, expected ${expectedStatus}`);
        if (kinds.join(',') !== expectedKinds.join(','))
          violations.push(`${tag}: outbound kinds [${kinds.join(',')}], expected [${expectedKinds.join(',')}]`);
        const unsent = outbound.filter((m) => !m.providerId).length;
        if (unsent) violations.push(`${tag}: ${unsent} outbound rows never reached the carrier`);
        const keys = new Set(outbound.map((m) => m.idempotencyKey));
        if (keys.size !== outbound.length) violations.push(`${tag}: duplicate idempotency keys`);
        const inboundRows = await db.message.count({ where: { leadId: lead.leadId, direction: 'inbound' } });
        if (inboundRows !== lead.inbound)
          violations.push(`${tag}: ${inboundRows} inbound rows for ${lead.inbound} distinct texts`);

        const atCarrier = textsTo(lead.phone);
        if (atCarrier.length !== expectedKinds.length)
          violations.push(`${tag}: ${atCarrier.length} texts at the carrier, expected ${expectedKinds.length}`);
        for (const m of outbound) {
          const n = refs.get(m.id) ?? 0;
          if (n !== 1) violations.push(`${tag}: message ${m.id} (${m.kind}) reached the carrier ${n} times`);
        }
        const bodies = atCarrier.map((m) => m.body);
        if (new Set(bodies).size !== bodies.length) violations.push(`${tag}: the same body texted twice`);
        if (lead.plan.name === 'book') {
          const appointments = await db.appointment.count({ where: { leadId: lead.leadId, status: 'booked' } });
          if (appointments !== (expectedStatus === 'booked' ? 1 : 0))
            violations.push(`${tag}: ${appointments} booked appointments for status ${expectedStatus}`);
        }
        if (lead.plan.optedOut) {
          const confirmation = outbound.findIndex((m) => m.kind === 'opt_out_confirmation');
          if (confirmation !== outbound.length - 1) violations.push(`${tag}: texted after its STOP confirmation`);
        }
      }
      if (opts.extraChecks) violations.push(...(await opts.extraChecks({ client, stack: s })));
      return {
        leads: leads.length,
        retried,
        sms: twilioFake.sent.length,
        inbound: leads.reduce((a, l) => a + l.inbound, 0),
        faults,
        seconds: Math.round((performance.now() - started) / 1000),
        violations,
      };
    } finally {
      codec.close();
      await connection.close();
      await db.$disconnect();
    }
  } finally {
    await stack?.stop();
    await twilioFake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
