import { Mutex } from 'async-mutex';
import { ApplicationFailure, patched, upsertSearchAttributes, uuid4, workflowInfo } from '@temporalio/workflow';
import type { RecordAndFirstReplyActivities, SendActivities } from '../../activities/types';
import { raiseAlert } from '../alerts/raise-alert';
import { LEAD_STATUS, NEXT_ACTION_AT } from '../search-attributes';
import type {
  AppointmentOutcome,
  AppointmentRefusal,
  AppointmentResult,
  Booking,
  InboundSms,
  Job,
  JobResult,
  JobStatus,
  JobUpdate,
  LeadState,
  LeadStatus,
  LeadWorkflowInput,
  MissedCall,
  NextAction,
  NextActionKind,
  ProcessingLimits,
  Slot,
  TechnicianChange,
} from './definitions';
import { nowIso } from '../clock';
import { detectLanguage } from '../../domain/language';
import { initialState } from './initial-state';
import { canMoveJob, endedJob, jobOf } from './job';
import { reviewAllowed } from './after-job';
import { captureSteps, failedForGood, remoteSteps, steps } from './steps';

/** The stretches of a lead's life whose next steps share one search-attribute value. */
const PHASE: Record<NextActionKind, string> = {
  first_reply: 'contact',
  missed_call_reply: 'contact',
  follow_up: 'contact',
  reminder_24h: 'visit',
  reminder_2h: 'visit',
  settle_appointment: 'visit',
  create_invoice: 'after_job',
  invoice_reminder: 'after_job',
  invoice_paid: 'after_job',
  review_request: 'after_job',
  review_reminder: 'after_job',
  retention_delete: 'retention',
  await_legal_hold_release: 'retention',
};
const samePhase = (a: NextActionKind | null, b: NextActionKind | null) =>
  a !== null && b !== null && PHASE[a] === PHASE[b];

/** How many inbound message ids a run remembers to take each once (Twilio retries come within hours, not 20 texts later). */
const INBOUND_SEEN = 20;

type SendArgs = Parameters<SendActivities['sendLeadSms']>[0];
type SendKind = SendArgs['kind'];
type SendOutcome = Awaited<ReturnType<SendActivities['sendLeadSms']>>;
type LeadContext = Awaited<ReturnType<RecordAndFirstReplyActivities['recordLeadAndFirstReply']>>['context'];
type BookResult = { ok: true; booking: Booking } | { ok: false; reason: string };

/**
 * One lead's conversation: what each signal changes, how an inbound text is answered,
 * how a planned action is done, how a slot is booked. The workflow function wires its
 * handlers to this and runs the loop.
 *
 * The main loop's steps and the handlers that await activities (a person's message, a
 * booking) take turns through one lock, so a booking never runs half-way through the
 * handling of a "cancel my appointment" or a STOP.
 */
export class LeadConversation {
  readonly state: LeadState;
  /** Set by anything that changes the plan: the loop re-plans instead of waiting on. */
  wake = false;
  private readonly lock = new Mutex();
  private readonly leadId: string;
  private readonly businessId: string;
  private published: { status: LeadStatus; kind: NextAction['kind'] | null };

  constructor(private readonly input: LeadWorkflowInput) {
    this.leadId = input.leadId;
    this.businessId = input.businessId;
    // Runs continued before `leadId` was part of the state get it here; `sendSeq` of older
    // runs is no longer used.
    if (input.state) {
      const { sendSeq: _unused, ...carried } = input.state as LeadState & { sendSeq?: number };
      this.state = { ...carried, leadId: input.leadId };
    } else this.state = initialState(input);
    this.published = { status: this.state.status, kind: this.state.nextAction?.kind ?? null };
  }

  get erased(): boolean {
    return this.state.erased === true;
  }

  // ---- Signals: they only change the state; the loop acts on it. ----

  receive(sms: InboundSms) {
    const { state } = this;
    // A retried webhook signals the same message again (its first signal may or may not have arrived).
    if (state.inboundSeen?.includes(sms.messageId) || state.inbox.some((m) => m.messageId === sms.messageId)) return;
    state.inboundSeen = [...(state.inboundSeen ?? []), sms.messageId].slice(-INBOUND_SEEN);
    state.inbox.push(sms);
    this.touch(sms.receivedAt);
    // Any answer to a review request ends its reminder (whatever it says).
    if (state.review?.lastRequestedAt && !state.review.reminderDone)
      Object.assign(state.review, { reminderDone: true, stoppedAt: sms.receivedAt });
    // A lead who writes in Spanish is answered in Spanish from this text on (and back, in clear English).
    if (patched('languages')) state.language = detectLanguage(sms.text) ?? state.language;
  }

  /** One text per missed call, and one for calls missed before it went out; a status-callback retry is taken once. */
  missedCall(call: MissedCall) {
    // Runs before this signal existed never received it: nothing to do, as they did.
    if (!patched('missed-call')) return;
    const { state } = this;
    if (state.missedCallsSeen?.includes(call.callSid)) return;
    state.missedCallsSeen = [...(state.missedCallsSeen ?? []), call.callSid].slice(-INBOUND_SEEN);
    // Not kept for later: a lead who opts back in is not texted about an old call.
    if (!state.optedOut) state.missedCall ??= call;
    this.touch(call.at);
    this.wake = true;
  }

  optOut({ at, reason }: { at: string; reason: string }) {
    const { state } = this;
    // Takes effect at once: every pending send, follow-up and reminder is planned from
    // this flag, and the send activity refuses suppressed numbers anyway. A carrier
    // refusal (the number is unsubscribed there) gets no confirmation: it cannot arrive.
    if (!state.optedOut && reason !== 'carrier')
      state.inbox.push({ leadId: this.leadId, messageId: `optout-${at}`, text: 'STOP', receivedAt: at });
    state.optedOut = true;
    if (reason === 'carrier') state.status = 'opted_out';
    this.wake = true;
  }

  subscription({ active }: { active: boolean }) {
    this.state.automationActive = active;
    this.wake = true;
  }

  legalHold({ held }: { held: boolean }) {
    this.state.legalHold = held;
    this.wake = true;
  }

  processingLimits(limits: ProcessingLimits) {
    this.state.restricted = limits.restricted ?? this.state.restricted;
    this.state.objected = limits.objected ?? this.state.objected;
    this.wake = true;
  }

  /** The deletion request deletes the rows and then this history's key: the loop ends before its next step. */
  erase() {
    this.state.erased = true;
    this.wake = true;
  }

  /** A status callback says the carrier refused a text it had taken (10DLC filtering, 30007/30034): the business is told. */
  async carrierRefused({ messageId, errorCode }: { messageId: string; errorCode: string }) {
    await this.exclusive(() =>
      raiseAlert({
        businessId: this.businessId,
        leadId: this.leadId,
        step: `refused-${messageId}`,
        kind: 'carrier_refused',
        detail: { messageId, code: errorCode },
      }),
    );
  }

  /** The business has a sender now: a lead that waited for one tries again at once. */
  senderConfigured() {
    if (!this.state.waitingForSender) return;
    this.state.waitingForSender = null;
    this.wake = true;
  }

  /** A person hands the lead back: its texts get answers again, and the follow-ups it is due resume. */
  async handBack() {
    // Runs before this signal existed never received it: the marker pins what a hand-back does.
    if (!patched('hand-back')) return;
    await this.exclusive(async () => {
      const { state, businessId, leadId } = this;
      if (!state.aiPaused || this.erased || state.status === 'retention_deleted') return;
      state.aiPaused = false;
      if (state.status === 'handed_off') state.status = this.resumedStatus();
      await steps().persistence.saveLeadStatus({ businessId, leadId, status: state.status, aiPaused: false });
      this.wake = true;
    });
  }

  /** Stripe says the job's invoice is paid: its reminders end; the thank-you step follows. */
  invoicePaid({ invoiceId, paidAt }: { invoiceId: string; paidAt: string }) {
    if (!patched('invoices')) return;
    const invoice = this.state.invoice;
    // A retried webhook, or an invoice this run no longer follows (a later job's replaced it).
    if (!invoice || invoice.paidAt || invoice.status === 'failed') return;
    if (invoice.invoiceId && invoice.invoiceId !== invoiceId) return;
    invoice.paidAt = paidAt;
    invoice.thankPending = true;
    // Paid before its creation step recorded the link: that step sees paidAt and texts no link.
    if (invoice.status === 'open') invoice.status = 'paid';
    this.wake = true;
  }

  /** The business stops the lead's review request and its reminder (POST /v1/leads/{id}/review-request/stop). */
  stopReviewRequest() {
    if (!patched('review-requests')) return;
    const review = this.state.review;
    if (!review) return;
    if (review.dueFrom || !review.reminderDone) review.stoppedAt = nowIso();
    review.dueFrom = null;
    review.reminderDone = true;
    this.wake = true;
  }

  // ---- Updates: they await activities, in turn with the loop. ----

  validateManualMessage({ text }: { text: string }) {
    if (typeof text !== 'string' || text.trim().length === 0) throw new Error('text: must not be empty');
    if (this.state.optedOut) throw new Error('the lead opted out of texts');
    if (this.state.status === 'retention_deleted') throw new Error('the lead’s messaging logs were deleted');
    if (this.erased) throw new Error('the lead was erased');
  }

  async manualMessage({ text, requestId }: { text: string; requestId: string }) {
    return this.exclusive(async () => {
      const { state } = this;
      // Its turn came after a STOP or an erasure: refused like any send the lead cannot get.
      if (state.optedOut || this.erased)
        return { messageId: null, status: 'refused' as const, reason: state.optedOut ? 'suppressed' : 'erased' };
      state.aiPaused = true;
      state.status = 'handed_off';
      const sent = await steps().sending.sendLeadSms({
        idempotencyKey: this.key(`manual-${requestId}`),
        businessId: this.businessId,
        leadId: this.leadId,
        kind: 'manual',
        body: text,
        status: state.status,
        at: nowIso(),
      });
      if (sent.status === 'sent') this.touch(nowIso());
      this.wake = true;
      return sent.status === 'sent'
        ? { messageId: sent.messageId, status: 'sent' as const }
        : { messageId: sent.messageId, status: 'refused' as const, reason: sent.status };
    });
  }

  validateBooking({ start }: { start: string }) {
    if (Number.isNaN(Date.parse(start))) throw new Error('start: must be an ISO-8601 time');
    if (this.cannotBook()) throw new Error('the lead cannot be booked by text now');
  }

  async bookSlot({ start, serviceId }: { start: string; serviceId?: string }): Promise<BookResult> {
    return this.exclusive(async () => {
      // Its turn came after a STOP, a restriction or an erasure that the validator could not see yet.
      if (this.cannotBook()) return { ok: false, reason: 'the lead cannot be booked by text now' };
      const result = await this.book(start, serviceId);
      this.wake = true;
      return result;
    });
  }

  // ---- The business's changes to an appointment (the app or the API). ----

  validateMoveAppointment({ start }: { start: string }) {
    if (typeof start !== 'string' || Number.isNaN(Date.parse(start)))
      throw new Error('start: must be an ISO-8601 time');
    this.validateAppointmentChange();
  }

  /** Moves the appointment as an SMS reschedule does: re-checked slot, moved event, a new version for the reminders. */
  async moveAppointment({ start }: { start: string }): Promise<AppointmentResult> {
    return this.exclusive(async () => {
      const refused = this.appointmentChangeRefused();
      if (refused) return { ok: false, reason: refused };
      // An opted-out or restricted lead is not texted; the appointment still moves.
      const result = await this.book(start, undefined, this.canText());
      this.wake = true;
      if (!result.ok) return { ok: false, reason: result.reason === 'slot_in_past' ? 'slot_in_past' : 'slot_taken' };
      return { ok: true, booking: result.booking, status: 'booked' };
    });
  }

  validateCancelAppointment() {
    this.validateAppointmentChange();
  }

  async cancelAppointment(): Promise<AppointmentResult> {
    return this.exclusive(async () => {
      const refused = this.appointmentChangeRefused();
      if (refused) return { ok: false, reason: refused };
      const { state, businessId, leadId } = this;
      const booking = state.booking!;
      await steps().persistence.cancelAppointment({ businessId, leadId, appointmentId: booking.appointmentId });
      await raiseAlert({
        businessId,
        leadId,
        step: `cancelled-${booking.appointmentId}-v${booking.version}`,
        kind: 'cancelled',
        detail: { appointmentId: booking.appointmentId, by: 'business' },
      });
      state.job = endedJob(state, booking, 'cancelled', nowIso());
      state.booking = null;
      if (state.status === 'booked') state.status = 'conversing';
      if (this.canText())
        await this.send(`cancel-${booking.appointmentId}-v${booking.version}`, 'reply', {
          purpose: 'answer',
          note: 'cancelled',
        });
      else await steps().persistence.saveLeadStatus({ businessId, leadId, status: state.status });
      this.wake = true;
      return { ok: true, booking, status: 'cancelled' };
    });
  }

  validateAppointmentOutcome({ outcome }: { outcome: AppointmentOutcome }) {
    if (outcome !== 'completed' && outcome !== 'no_show') throw new Error('outcome: must be completed or no_show');
    this.validateAppointmentChange();
    if (Date.parse(this.state.booking!.start) > Date.now())
      throw ApplicationFailure.create({ type: 'not_started', message: 'the appointment has not started yet' });
  }

  /** Settles the appointment now, as its settle step would after the end, with the business's outcome. */
  async appointmentOutcome({ outcome }: { outcome: AppointmentOutcome }): Promise<AppointmentResult> {
    return this.exclusive(async () => {
      const refused = this.appointmentChangeRefused();
      if (refused) return { ok: false, reason: refused };
      const booking = this.state.booking!;
      if (Date.parse(booking.start) > Date.now()) return { ok: false, reason: 'not_started' };
      const settled = await this.settle(booking, outcome);
      this.wake = true;
      return { ok: true, booking, status: settled };
    });
  }

  // ---- The job: the technician marks the booked visit on the way, started, finished. ----

  /**
   * The booked visit's technician was removed: the booking names who took it over, or nobody,
   * so "on my way" never names the person who left. A job already on the way keeps who set out.
   */
  async technicianChanged({ appointmentId, technicianName }: TechnicianChange) {
    // Runs before this signal existed never received it: the marker pins what it changes.
    if (!patched('technician-changed')) return;
    // In turn with a booking or move, whose result names the person as the booking saw them.
    await this.exclusive(async () => {
      const { booking, job } = this.state;
      if (booking?.appointmentId !== appointmentId) return;
      const scheduledJob = job?.appointmentId === appointmentId && job.status === 'scheduled' ? [job] : [];
      for (const named of [booking, ...scheduledJob]) {
        if (technicianName) named.technicianName = technicianName;
        else delete named.technicianName;
      }
    });
  }

  validateJobUpdate(update: JobUpdate) {
    const to = (update as { status?: unknown } | undefined)?.status;
    if (to !== 'en_route' && to !== 'in_progress' && to !== 'finished')
      throw new Error('status: must be en_route, in_progress or finished');
    const refused = this.jobRefused(to);
    if (refused)
      throw ApplicationFailure.create({
        type: refused.reason,
        message: refused.current ? `the job is ${refused.current}` : 'the lead has no job',
        details: [refused.current],
      });
  }

  /**
   * "On my way" and "finished" are texted to the lead (never after STOP; the status changes
   * all the same); finishing settles the appointment as completed, so its reminders end.
   */
  async jobUpdate(update: JobUpdate): Promise<JobResult> {
    return this.exclusive(async () => {
      // Runs before this update existed never received it: the marker pins what a job update does.
      if (!patched('job-updates')) return { ok: false, reason: 'no_job', current: null };
      const refused = this.jobRefused(update.status);
      if (refused) return refused;
      const { state } = this;
      const booking = state.booking!;
      const job: Job = { ...jobOf(state)!, status: update.status, updatedAt: nowIso() };
      if (update.status === 'en_route') {
        if (update.technicianName !== undefined) job.technicianName = update.technicianName;
        if (update.etaMinutes !== undefined) job.etaMinutes = update.etaMinutes;
      }
      if (update.status === 'finished' && update.amountCents !== undefined) job.amountCents = update.amountCents;
      state.job = job;
      const step = `job-${update.status}-${booking.appointmentId}-v${booking.version}`;
      if (update.status === 'en_route' && this.canText())
        await this.send(step, 'reply', {
          purpose: 'answer',
          note: 'on_my_way',
          job: { technicianName: job.technicianName, etaMinutes: job.etaMinutes },
        });
      if (update.status === 'finished') {
        await this.settle(booking, 'completed');
        if (this.canText()) await this.send(step, 'reply', { purpose: 'answer', note: 'job_finished' });
        this.afterJob(booking.appointmentId, job.amountCents);
      }
      await raiseAlert({
        businessId: this.businessId,
        leadId: this.leadId,
        step,
        kind: 'job_updated',
        detail: { jobId: booking.appointmentId, appointmentId: booking.appointmentId, status: update.status },
      });
      this.wake = true;
      return { ok: true, job: state.job };
    });
  }

  private jobRefused(to: JobStatus): (JobResult & { ok: false }) | null {
    const { state } = this;
    if (this.erased || state.status === 'retention_deleted') return { ok: false, reason: 'erased', current: null };
    const job = jobOf(state);
    if (!job) return { ok: false, reason: 'no_job', current: null };
    return state.booking && canMoveJob(job.status, to)
      ? null
      : { ok: false, reason: 'invalid_transition', current: job.status };
  }

  // ---- After the job: the invoice and the review request (planned in after-job.ts). ----

  /** A finished job with an amount is invoiced; one without gets the review request at once. */
  private afterJob(appointmentId: string, amountCents: number | undefined) {
    if (amountCents !== undefined && amountCents > 0 && patched('invoices')) {
      this.state.invoice = { appointmentId, amountCents, status: 'creating', remindersSent: 0 };
      return;
    }
    this.requestReview();
  }

  /** Due now, unless one went out in the last 90 days. */
  private requestReview() {
    if (!patched('review-requests')) return;
    const { state } = this;
    if (!reviewAllowed(state, Date.now())) return;
    state.review = { dueFrom: nowIso(), lastRequestedAt: state.review?.lastRequestedAt ?? null, reminderDone: true };
  }

  private async createInvoice() {
    const { state, businessId, leadId } = this;
    const invoice = state.invoice!;
    const made = await steps()
      .invoicing.createJobInvoice({
        idempotencyKey: this.key(`invoice-${invoice.appointmentId}`),
        businessId,
        leadId,
        appointmentId: invoice.appointmentId,
        amountCents: invoice.amountCents,
      })
      .catch((err: unknown) => {
        if (failedForGood(err)) return null;
        throw err;
      });
    if (!made) {
      // Stripe refused or stayed down: the business invoices by hand; no reminder, no review yet.
      // Kept as failed (after-job plans nothing for it, as for none) so the app can say so.
      state.invoice = { ...invoice, status: 'failed' };
      await raiseAlert({
        businessId,
        leadId,
        step: `invoice-failed-${invoice.appointmentId}`,
        kind: 'invoice_failed',
        detail: { jobId: invoice.appointmentId, amountCents: invoice.amountCents },
      });
      return;
    }
    if (!made.created) {
      state.invoice = null;
      this.requestReview();
      return;
    }
    Object.assign(invoice, { invoiceId: made.invoiceId, link: made.hostedUrl, openedAt: nowIso() });
    invoice.status = invoice.paidAt ? 'paid' : 'open';
    if (invoice.status === 'open' && this.canText())
      await this.send(`invoice-${invoice.appointmentId}`, 'reply', {
        purpose: 'answer',
        note: 'invoice',
        invoice: { link: made.hostedUrl, amountCents: invoice.amountCents },
      });
  }

  private async invoicePaidStep() {
    const { state, businessId, leadId } = this;
    const invoice = state.invoice!;
    invoice.thankPending = false;
    if (this.canText())
      await this.send(`invoice-paid-${invoice.appointmentId}`, 'reply', { purpose: 'answer', note: 'invoice_paid' });
    await raiseAlert({
      businessId,
      leadId,
      step: `invoice-paid-${invoice.appointmentId}`,
      kind: 'invoice_paid',
      detail: { invoiceId: invoice.invoiceId, jobId: invoice.appointmentId, amountCents: invoice.amountCents },
    });
    this.requestReview();
  }

  // ---- The loop's steps. ----

  /** Persists the capture once (the first run); the rest of the state comes from it. */
  async record() {
    if (this.state.recorded) return;
    const input = {
      leadId: this.leadId,
      businessId: this.businessId,
      lead: this.input.lead,
      capturedAt: this.input.capturedAt,
      dataKeyId: this.input.dataKeyId,
    };
    // A new lead with nothing else to answer first is recorded and, when its window is open,
    // answered in one activity; it texts exactly as the first_reply step would (same step key).
    if (this.firstReplyOnly() && patched('record-with-first-reply')) {
      const at = nowIso();
      const done = await captureSteps()
        .recordLeadAndFirstReply({
          ...input,
          reply: {
            idempotencyKey: this.key('first-reply'),
            status: 'contacted',
            at,
            purpose: 'first_reply',
            language: this.state.language,
          },
        })
        // After its retries: recorded the old way, which retries for as long as Postgres takes.
        .catch((err: unknown) => {
          if (failedForGood(err)) return null;
          throw err;
        });
      if (done) {
        this.recorded(done.context);
        if (done.reply) await this.firstReplySent(at, done.reply);
        return;
      }
    }
    this.recorded(await remoteSteps.persistence.recordLead(input));
  }

  private recorded({ language, ...context }: LeadContext) {
    Object.assign(this.state, context, { recorded: true });
    // A text that arrived meanwhile (a lead who texted first) already said which language; results of older runs have none.
    if (language) this.state.language ??= language;
  }

  /** A fresh lead whose first step is the plain first reply: no text, call or opt-out to answer before it. */
  private firstReplyOnly(): boolean {
    const { state } = this;
    return (
      state.status === 'new' &&
      !state.firstReplyAt &&
      !state.missedCall &&
      state.inbox.length === 0 &&
      !state.optedOut &&
      !state.restricted &&
      !state.aiPaused &&
      !this.erased
    );
  }

  /** The first_reply step's bookkeeping (performNow) for a reply the recording activity sent. */
  private async firstReplySent(at: string, sent: SendOutcome) {
    const { state } = this;
    state.status = 'contacted';
    await this.afterSend('first-reply', at, true, sent);
    if (this.held()) {
      state.status = 'new';
      return;
    }
    state.firstReplyAt ??= nowIso();
  }

  /** Answers every text that has arrived, in order; an erasure stops it. */
  async answerInbox() {
    while (!this.erased && this.state.inbox.length > 0)
      await this.exclusive(async () => {
        const sms = this.state.inbox.shift();
        if (sms && !this.erased) await this.handleInbound(sms);
      });
  }

  async perform(action: NextAction) {
    await this.exclusive(async () => {
      // A handler that ran while this step waited for its turn changed the plan (a moved or
      // cancelled appointment's reminder): the loop plans again instead.
      if (this.wake && patched('replan-after-handler')) return;
      await this.performNow(action);
    });
  }

  // What operators filter on in the Temporal UI. Each upsert is a billed action, so the
  // attributes change with the lead's status or the kind of thing it waits for; the exact
  // time of a repeated step (the second follow-up) is in the query, not re-upserted.
  publish(next: NextAction | null) {
    const { state } = this;
    state.nextAction = next;
    const kind = next?.kind ?? null;
    const { published } = this;
    if (published.status === state.status && published.kind === kind) return;
    this.published = { status: state.status, kind };
    // Since 'phase-attributes', the next step's kind within one phase (the 24 h reminder, then
    // the 2 h one, then the visit) is in the query only: the attributes say when the phase's next
    // step was due as it began, which is what finding a stuck lead needs.
    if (published.status === state.status && samePhase(published.kind, kind) && patched('phase-attributes')) return;
    upsertSearchAttributes([
      { key: LEAD_STATUS, value: state.status },
      { key: NEXT_ACTION_AT, value: next?.at ? new Date(next.at) : null },
    ]);
  }

  /** The run's last state: an erased lead's carries nothing of the conversation. */
  finish(): LeadState {
    if (this.erased) {
      this.state.status = 'erased';
      Object.assign(this.state, { inbox: [], offer: null, booking: null });
      this.publish(null);
    }
    this.state.nextAction = null;
    return this.state;
  }

  // ---- The conversation itself. ----

  /**
   * Runs `fn` in turn with the loop and the other handlers. Runs recorded before the lock
   * existed replay without it (their activities may interleave in the history).
   */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return patched('serialise-handlers') ? this.lock.runExclusive(fn) : fn();
  }

  /** Refused before it is written to the history: the reason is the failure's type. */
  private validateAppointmentChange() {
    const refused = this.appointmentChangeRefused();
    if (refused === 'erased') throw ApplicationFailure.create({ type: refused, message: 'the lead was erased' });
    if (refused) throw ApplicationFailure.create({ type: refused, message: 'the lead has no appointment' });
  }

  private appointmentChangeRefused(): AppointmentRefusal | null {
    if (this.erased || this.state.status === 'retention_deleted') return 'erased';
    return this.state.booking ? null : 'no_appointment';
  }

  private canText(): boolean {
    return !this.state.optedOut && !this.state.restricted;
  }

  /** Where the conversation stood before the handoff, read from what the state still holds. */
  private resumedStatus(): LeadStatus {
    const { state } = this;
    if (state.booking) return 'booked';
    if (state.offer) return 'offered';
    if (state.leadReplied) return 'conversing';
    return state.firstReplyAt ? 'contacted' : 'new';
  }

  private cannotBook(): boolean {
    return this.state.optedOut || this.state.restricted || this.erased;
  }

  private key(step: string) {
    return `${workflowInfo().workflowId}:${step}`;
  }

  private touch(at: string) {
    if (Date.parse(at) > Date.parse(this.state.lastActivityAt)) this.state.lastActivityAt = at;
  }

  /** Held, not done: the step runs again once the account is active or a sender is set. */
  private held(): boolean {
    return !this.state.automationActive || Boolean(this.state.waitingForSender);
  }

  private async send(step: string, kind: SendKind, extra: Partial<SendArgs> = {}): Promise<boolean> {
    const { state } = this;
    const at = nowIso();
    // A lead who texted first gets our first message as the answer: it carries the
    // opt-out wording, and the follow-up cadence counts from it.
    const first = !state.firstReplyAt && (kind === 'reply' || kind === 'first_reply');
    // Runs before 'local-first-reply' sent a first reply as a task-queue activity; since then it
    // is a local step like the others: sent by the workflow task that woke for it, with no second
    // workflow task for its result (a first text due at 08:00 costs one task instead of two).
    const proxies = first && !patched('local-first-reply') ? remoteSteps : steps();
    const sent = await proxies.sending.sendLeadSms({
      idempotencyKey: this.key(step),
      businessId: this.businessId,
      leadId: this.leadId,
      kind: first ? 'first_reply' : kind,
      status: state.status,
      at,
      language: state.language,
      ...extra,
    });
    return this.afterSend(step, at, first, sent);
  }

  /** What a send's outcome means for the lead: sent, opted out, refused, paused or waiting for a number. */
  private async afterSend(step: string, at: string, first: boolean, sent: SendOutcome): Promise<boolean> {
    const { state } = this;
    if (sent.status === 'sent') {
      this.touch(at);
      if (first) state.firstReplyAt = at;
      if (state.waitingForSender) state.waitingForSender = null;
      return true;
    }
    if (sent.status === 'suppressed') state.optedOut = true;
    if (sent.status === 'failed') {
      state.status = 'failed';
      await raiseAlert({
        businessId: this.businessId,
        leadId: this.leadId,
        step: `refused-${step}`,
        kind: 'carrier_refused',
        detail: { messageId: sent.messageId, code: sent.code },
      });
    }
    // The account went inactive before the signal reached us: hold everything until it is back.
    if (sent.status === 'paused') state.automationActive = false;
    // No number to send from: wait (visibly) for one instead of failing the lead.
    if (sent.status === 'no_sender') {
      if (patched('wait-for-sender')) state.waitingForSender = at;
      else state.status = 'failed';
    }
    return false;
  }

  private async offerSlots(step: string, found?: Slot[], serviceId?: string) {
    const { state } = this;
    const slots =
      found ??
      (await steps().persistence.findSlots({
        businessId: this.businessId,
        leadId: this.leadId,
        timeZone: state.timeZone,
        count: 3,
        at: nowIso(),
        language: state.language,
        ...(serviceId ? { serviceId } : {}),
      }));
    if (slots.length === 0) {
      await raiseAlert({
        businessId: this.businessId,
        leadId: this.leadId,
        step: `no-slots-${step}`,
        kind: 'no_slot_fits',
      });
      await this.send(step, 'reply', { purpose: 'answer', note: 'no_slots' });
      return;
    }
    state.offer = { slots, seq: (state.offer?.seq ?? 0) + 1, ...(serviceId ? { serviceId } : {}) };
    state.status = 'offered';
    await this.send(step, 'reply', { purpose: 'offer_slots', offeredSlots: slots.map((s) => s.label) });
  }

  private async book(start: string, serviceId?: string, confirm = true): Promise<BookResult> {
    const { state } = this;
    const result = await steps().persistence.bookAppointment({
      businessId: this.businessId,
      leadId: this.leadId,
      start,
      serviceId,
      // Rescheduling moves the existing appointment instead of creating a second one; a
      // new one gets its id here (deterministic under replay) so a retried booking finds it.
      appointmentId: state.booking?.appointmentId ?? uuid4(),
      timeZone: state.timeZone,
      at: nowIso(),
      language: state.language,
    });
    if (!result.ok) return result;
    const version = (state.booking?.version ?? 0) + 1;
    // A moved visit starts over for the technician: marks made for the old time do not carry over.
    if (version > 1 && state.job?.appointmentId === result.appointmentId && patched('moved-job-resets'))
      state.job = null;
    state.booking = {
      appointmentId: result.appointmentId,
      start: result.start,
      end: result.end,
      remindersSent: [],
      bookedAt: nowIso(),
      version,
      ...(result.technicianName ? { technicianName: result.technicianName } : {}),
    };
    state.offer = null;
    state.status = 'booked';
    if (confirm)
      await this.send(`confirm-${result.appointmentId}-v${version}`, 'confirmation', {
        purpose: 'confirm_booking',
        offeredSlots: [result.label],
      });
    else
      await steps().persistence.saveLeadStatus({ businessId: this.businessId, leadId: this.leadId, status: 'booked' });
    await raiseAlert({
      businessId: this.businessId,
      leadId: this.leadId,
      step: `booked-${result.appointmentId}-v${version}`,
      kind: version > 1 ? 'moved' : 'booked',
      detail: { appointmentId: result.appointmentId, start: result.start },
    });
    return { ok: true, booking: state.booking };
  }

  private async handleInbound(sms: InboundSms) {
    const { state, businessId, leadId } = this;
    state.leadReplied = true;
    if (state.status === 'new' || state.status === 'contacted') state.status = 'conversing';
    // One activity classifies and, for a booking intent, already finds the open slots.
    const { intent, slot, slots, service } = await steps().persistence.classifyInbound({
      businessId,
      leadId,
      text: sms.text,
      hasOpenOffer: state.offer !== null,
      hasBooking: state.booking !== null,
      timeZone: state.timeZone,
      at: nowIso(),
      language: state.language,
      // The lead's words choose the service (and so the slot's length and who comes); runs before this did not.
      ...(patched('services') ? { choosingService: state.serviceQuestion === true } : {}),
    });
    const step = `re-${sms.messageId}`;

    if (intent === 'opt_out') {
      state.optedOut = true;
      await steps().persistence.setSuppression({ businessId, leadId, suppressed: true, reason: 'keyword' });
      state.status = 'opted_out';
      await steps().persistence.saveLeadStatus({ businessId, leadId, status: 'opted_out' });
      // The appointment stays: the business learns of it and decides.
      if (state.booking)
        await raiseAlert({
          businessId,
          leadId,
          step: `opted-out-${sms.messageId}`,
          kind: 'opted_out_with_booking',
          detail: { appointmentId: state.booking.appointmentId, start: state.booking.start },
        });
      // The one confirmation carriers expect; the activity allows exactly this kind.
      await this.send(step, 'opt_out_confirmation');
      return;
    }
    if (intent === 'opt_in') {
      await steps().persistence.setSuppression({ businessId, leadId, suppressed: false, reason: 'keyword' });
      state.optedOut = false;
      state.status = 'conversing';
      await this.send(step, 'opt_in_confirmation');
      return;
    }
    if (intent === 'help') {
      await this.send(step, 'help');
      return;
    }
    if (state.optedOut || state.restricted) return;
    if (state.aiPaused) return; // a person at the business is handling this lead

    switch (intent) {
      case 'book':
        if (state.booking)
          await this.send(step, 'reply', {
            purpose: 'answer',
            note: 'already_booked',
            offeredSlots: [state.booking.start],
          });
        else if (service?.kind === 'unclear') {
          // Several services fit the words, or none: ask once which one.
          state.serviceQuestion = true;
          await this.send(step, 'reply', { purpose: 'answer', note: 'which_service' });
        } else {
          if (state.serviceQuestion) state.serviceQuestion = false;
          await this.offerSlots(step, slots, service?.serviceId ?? undefined);
        }
        return;
      case 'pick_slot': {
        const choice = state.offer?.slots[(slot ?? 0) - 1];
        const serviceId = state.offer?.serviceId;
        if (!choice) {
          await this.offerSlots(step, undefined, serviceId);
          return;
        }
        const booked = await this.book(choice.start, serviceId);
        // Taken meanwhile: offer fresh slots.
        if (!booked.ok) await this.offerSlots(`${step}-retry`, undefined, serviceId);
        return;
      }
      case 'reschedule':
        if (state.booking) state.booking.remindersSent = ['24h', '2h']; // pause reminders until the new slot
        await this.offerSlots(step, slots);
        return;
      case 'cancel_booking':
        if (state.booking) {
          await steps().persistence.cancelAppointment({
            businessId,
            leadId,
            appointmentId: state.booking.appointmentId,
          });
          const { appointmentId, version } = state.booking;
          await raiseAlert({
            businessId,
            leadId,
            step: `cancelled-${appointmentId}-v${version}`,
            kind: 'cancelled',
            detail: { appointmentId },
          });
          state.job = endedJob(state, state.booking, 'cancelled', nowIso());
          state.booking = null;
          state.status = 'conversing';
          await this.send(step, 'reply', { purpose: 'answer', note: 'cancelled' });
        } else {
          await this.send(step, 'reply', { purpose: 'answer', note: 'nothing_to_cancel' });
        }
        return;
      case 'human':
        state.aiPaused = true;
        state.status = 'handed_off';
        await steps().persistence.notifyBusiness({ businessId, leadId, reason: 'handoff_requested' });
        await raiseAlert({ businessId, leadId, step: `handoff-${sms.messageId}`, kind: 'handoff_requested' });
        await this.send(step, 'reply', { purpose: 'answer', note: 'handoff' });
        await steps().persistence.saveLeadStatus({ businessId, leadId, status: 'handed_off', aiPaused: true });
        return;
      case 'not_interested':
        state.status = 'closed';
        await this.send(step, 'reply', { purpose: 'answer', note: 'closing' });
        await steps().persistence.saveLeadStatus({ businessId, leadId, status: 'closed' });
        return;
      default:
        await this.send(step, 'reply', { purpose: 'answer' });
    }
  }

  /** After the visit: the business's outcome, else what the appointment row says (completed unless marked). */
  private async settle(booking: Booking, marked?: AppointmentOutcome): Promise<AppointmentOutcome> {
    const { state, businessId, leadId } = this;
    const outcome = await steps().persistence.settleAppointment({
      businessId,
      leadId,
      appointmentId: booking.appointmentId,
      ...(marked ? { outcome: marked } : {}),
    });
    state.job = endedJob(state, booking, outcome === 'completed' ? 'finished' : 'no_show', nowIso());
    state.booking = null;
    state.status = outcome;
    if (outcome === 'no_show')
      await this.send(`no-show-${booking.appointmentId}`, 'reply', { purpose: 'answer', note: 'no_show' });
    return outcome;
  }

  private async performNow(action: NextAction) {
    const { state, businessId, leadId } = this;
    switch (action.kind) {
      case 'first_reply': {
        const before = state.status;
        if (state.status === 'new') state.status = 'contacted';
        await this.send('first-reply', 'first_reply', { purpose: 'first_reply' });
        if (this.held()) {
          state.status = before;
          return;
        }
        // Tried and refused (opted out, failed) still counts as done: nothing retries it.
        state.firstReplyAt ??= nowIso();
        return;
      }
      case 'missed_call_reply': {
        const before = state.status;
        if (state.status === 'new') state.status = 'contacted';
        const call = state.missedCall!;
        await this.send(`missed-call-${call.callSid}`, 'reply', { purpose: 'first_reply', note: 'missed_call' });
        if (this.held()) {
          state.status = before;
          return;
        }
        state.missedCall = null;
        return;
      }
      case 'follow_up': {
        const n = state.followUpsSent + 1;
        if (patched('email-follow-ups')) {
          // The business chooses per step: SMS, email or both. The activity knows the channel and
          // whether this lead may be emailed; a step it cannot email is texted instead.
          const mailed = await steps()
            .emailing.sendLeadEmail({
              idempotencyKey: this.key(`follow-up-${n}-email`),
              businessId,
              leadId,
              kind: 'follow_up',
              step: n,
              language: this.state.language,
            })
            .catch((err: unknown) => {
              // An email that could not go out after every retry: the step is still texted.
              if (failedForGood(err)) return { sms: true };
              throw err;
            });
          if (mailed.sms) await this.send(`follow-up-${n}`, 'follow_up', { purpose: 'follow_up' });
          if (!mailed.sms || !this.held()) state.followUpsSent = n;
          return;
        }
        await this.send(`follow-up-${n}`, 'follow_up', { purpose: 'follow_up' });
        if (!this.held()) state.followUpsSent = n;
        return;
      }
      case 'reminder_24h':
      case 'reminder_2h': {
        const booking = state.booking!;
        const which = action.kind === 'reminder_24h' ? '24h' : '2h';
        await this.send(`reminder-${which}-${booking.appointmentId}-v${booking.version}`, 'reminder', {
          offeredSlots: [booking.start],
        });
        if (!this.held()) booking.remindersSent.push(which);
        return;
      }
      case 'settle_appointment':
        await this.settle(state.booking!);
        return;
      case 'create_invoice':
        await this.createInvoice();
        return;
      case 'invoice_reminder': {
        const invoice = state.invoice!;
        const n = invoice.remindersSent + 1;
        await this.send(`invoice-reminder-${n}-${invoice.appointmentId}`, 'reply', {
          purpose: 'answer',
          note: 'invoice_reminder',
          invoice: { link: invoice.link!, amountCents: invoice.amountCents },
        });
        if (!this.held()) invoice.remindersSent = n;
        return;
      }
      case 'invoice_paid':
        await this.invoicePaidStep();
        return;
      case 'review_request': {
        const review = state.review!;
        const sent = await this.send(`review-request-${review.dueFrom}`, 'reply', {
          purpose: 'answer',
          note: 'review_request',
        });
        if (this.held()) return;
        review.dueFrom = null;
        // No review link (or no way to text the lead): nothing was asked, so nothing counts toward the 90 days.
        if (sent) Object.assign(review, { lastRequestedAt: nowIso(), reminderDone: false });
        return;
      }
      case 'review_reminder': {
        const review = state.review!;
        await this.send(`review-reminder-${review.lastRequestedAt}`, 'reply', {
          purpose: 'answer',
          note: 'review_reminder',
        });
        if (!this.held()) Object.assign(review, { reminderDone: true, reminderSentAt: nowIso() });
        return;
      }
      case 'retention_delete': {
        const deleted = await steps().persistence.deleteMessagingLogs({
          businessId,
          leadId,
          cause: 'policy:messaging_logs',
        });
        // Held in the database before the signal arrived: wait for the release like any hold.
        if (deleted.held) state.legalHold = true;
        else state.status = 'retention_deleted';
        return;
      }
      case 'await_legal_hold_release':
        return;
    }
  }
}
