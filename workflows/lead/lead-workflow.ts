import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { LeadActivities } from '../../activities/types';
import { LEAD_STATUS, NEXT_ACTION_AT } from '../search-attributes';
import {
  bookSlotUpdate,
  eraseSignal,
  inboundSmsSignal,
  leadStateQuery,
  legalHoldSignal,
  manualMessageUpdate,
  optOutSignal,
  processingLimitsSignal,
  subscriptionSignal,
  type Booking,
  type InboundSms,
  type LeadState,
  type LeadStatus,
  type LeadWorkflowInput,
  type NextAction,
  type Slot,
} from './definitions';
import { planNext } from './plan';

const persistence = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  // Persistence and housekeeping retry for as long as it takes: a capture is never
  // dropped because Postgres was down for a while.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const sending = proxyActivities<LeadActivities>({
  // Composition may wait on the AI (which falls back to a template on its own timeout).
  startToCloseTimeout: '45 seconds',
  // A send that keeps failing must not become a burst of texts once the carrier
  // recovers: the outbox row makes retries safe, and the cap bounds how long we try.
  retry: { initialInterval: '2 seconds', maximumInterval: '2 minutes', backoffCoefficient: 2, maximumAttempts: 12 },
});

/** Histories stay small over a two-year life: a new run before this many events. */
const HISTORY_LIMIT = 1500;
/** Before a long quiet wait, start a fresh run once the current one has done some work. */
const QUIET_PHASE_HISTORY = 150;
/** How many inbound message ids a run remembers to take each once (Twilio retries come within hours, not 20 texts later). */
const INBOUND_SEEN = 20;

export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadState> {
  const { leadId, businessId } = input;
  // Runs continued before `leadId` was part of the state get it here.
  const state: LeadState = input.state ? { ...input.state, leadId } : initialState(input);
  const key = (step: string) => `${workflowInfo().workflowId}:${step}`;
  let wake = false;

  // Handlers first: a signal, query or update that arrives before the first await is never lost.
  setHandler(leadStateQuery, () => state);
  setHandler(inboundSmsSignal, (sms) => {
    // A retried webhook signals the same message again (its first signal may or may not have arrived).
    if (state.inboundSeen?.includes(sms.messageId) || state.inbox.some((m) => m.messageId === sms.messageId)) return;
    state.inboundSeen = [...(state.inboundSeen ?? []), sms.messageId].slice(-INBOUND_SEEN);
    state.inbox.push(sms);
    touch(sms.receivedAt);
  });
  setHandler(optOutSignal, ({ at, reason }) => {
    // Takes effect at once: every pending send, follow-up and reminder is planned from
    // this flag, and the send activity refuses suppressed numbers anyway. A carrier
    // refusal (the number is unsubscribed there) gets no confirmation: it cannot arrive.
    if (!state.optedOut && reason !== 'carrier')
      state.inbox.push({ leadId, messageId: `optout-${at}`, text: 'STOP', receivedAt: at });
    state.optedOut = true;
    if (reason === 'carrier') setStatus('opted_out');
    wake = true;
  });
  setHandler(subscriptionSignal, ({ active }) => {
    state.automationActive = active;
    wake = true;
  });
  setHandler(legalHoldSignal, ({ held }) => {
    state.legalHold = held;
    wake = true;
  });
  setHandler(processingLimitsSignal, (limits) => {
    state.restricted = limits.restricted ?? state.restricted;
    state.objected = limits.objected ?? state.objected;
    wake = true;
  });
  setHandler(eraseSignal, () => {
    // The deletion request deletes the rows and then this history's key: nothing here may
    // touch the lead again, so the loop ends before its next step.
    state.erased = true;
    wake = true;
  });
  setHandler(
    manualMessageUpdate,
    async ({ text, requestId }) => {
      state.aiPaused = true;
      setStatus('handed_off');
      const sent = await sending.sendLeadSms({
        idempotencyKey: key(`manual-${requestId}`),
        businessId,
        leadId,
        kind: 'manual',
        body: text,
        status: state.status,
        at: nowIso(),
      });
      if (sent.status === 'sent') touch(nowIso());
      wake = true;
      return sent.status === 'sent'
        ? { messageId: sent.messageId, status: 'sent' as const }
        : { messageId: sent.messageId, status: 'refused' as const, reason: sent.status };
    },
    {
      validator: ({ text }) => {
        if (typeof text !== 'string' || text.trim().length === 0) throw new Error('text: must not be empty');
        if (state.optedOut) throw new Error('the lead opted out of texts');
        if (state.status === 'retention_deleted') throw new Error('the lead’s messaging logs were deleted');
        if (state.erased) throw new Error('the lead was erased');
      },
    },
  );
  setHandler(
    bookSlotUpdate,
    async ({ start, serviceId }) => {
      const result = await book(start, serviceId);
      wake = true;
      return result;
    },
    {
      validator: ({ start }) => {
        if (Number.isNaN(Date.parse(start))) throw new Error('start: must be an ISO-8601 time');
        if (state.optedOut || state.restricted || state.erased)
          throw new Error('the lead cannot be booked by text now');
      },
    },
  );

  function touch(at: string) {
    if (Date.parse(at) > Date.parse(state.lastActivityAt)) state.lastActivityAt = at;
  }

  function setStatus(status: LeadStatus) {
    state.status = status;
  }

  async function send(step: string, kind: SendKind, extra: Partial<SendArgs> = {}): Promise<boolean> {
    const at = nowIso();
    // A lead who texted first gets our first message as the answer: it carries the
    // opt-out wording, and the follow-up cadence counts from it.
    const first = !state.firstReplyAt && (kind === 'reply' || kind === 'first_reply');
    const sent = await sending.sendLeadSms({
      idempotencyKey: key(step),
      businessId,
      leadId,
      kind: first ? 'first_reply' : kind,
      status: state.status,
      at,
      ...extra,
    });
    if (sent.status === 'sent') {
      touch(at);
      if (first) state.firstReplyAt = at;
      return true;
    }
    if (sent.status === 'suppressed') state.optedOut = true;
    if (sent.status === 'failed') setStatus('failed');
    // The account went inactive before the signal reached us: hold everything until it is back.
    if (sent.status === 'paused') state.automationActive = false;
    return false;
  }

  async function offerSlots(purpose: 'offer_slots', step: string, found?: Slot[]) {
    const slots =
      found ?? (await persistence.findSlots({ businessId, leadId, timeZone: state.timeZone, count: 3, at: nowIso() }));
    if (slots.length === 0) {
      await send(step, 'reply', { purpose: 'answer', note: 'no_slots' });
      return;
    }
    state.offer = { slots, seq: (state.offer?.seq ?? 0) + 1 };
    setStatus('offered');
    await send(step, 'reply', { purpose, offeredSlots: slots.map((s) => s.label) });
  }

  async function book(
    start: string,
    serviceId?: string,
  ): Promise<{ ok: true; booking: Booking } | { ok: false; reason: string }> {
    const result = await persistence.bookAppointment({
      businessId,
      leadId,
      start,
      serviceId,
      // Rescheduling moves the existing appointment instead of creating a second one; a
      // new one gets its id here (deterministic under replay) so a retried booking finds it.
      appointmentId: state.booking?.appointmentId ?? uuid4(),
      timeZone: state.timeZone,
      at: nowIso(),
    });
    if (!result.ok) return result;
    const version = (state.booking?.version ?? 0) + 1;
    state.booking = {
      appointmentId: result.appointmentId,
      start: result.start,
      end: result.end,
      remindersSent: [],
      bookedAt: nowIso(),
      version,
    };
    state.offer = null;
    setStatus('booked');
    await send(`confirm-${result.appointmentId}-v${version}`, 'confirmation', {
      purpose: 'confirm_booking',
      offeredSlots: [result.label],
    });
    return { ok: true, booking: state.booking };
  }

  async function handleInbound(sms: InboundSms) {
    state.leadReplied = true;
    if (state.status === 'new' || state.status === 'contacted') setStatus('conversing');
    // One activity classifies and, for a booking intent, already finds the open slots.
    const { intent, slot, slots } = await persistence.classifyInbound({
      businessId,
      leadId,
      text: sms.text,
      hasOpenOffer: state.offer !== null,
      hasBooking: state.booking !== null,
      timeZone: state.timeZone,
      at: nowIso(),
    });
    const step = `re-${sms.messageId}`;

    if (intent === 'opt_out') {
      state.optedOut = true;
      await persistence.setSuppression({ businessId, leadId, suppressed: true, reason: 'keyword' });
      setStatus('opted_out');
      await persistence.saveLeadStatus({ businessId, leadId, status: 'opted_out' });
      // The one confirmation carriers expect; the activity allows exactly this kind.
      await send(step, 'opt_out_confirmation');
      return;
    }
    if (intent === 'opt_in') {
      await persistence.setSuppression({ businessId, leadId, suppressed: false, reason: 'keyword' });
      state.optedOut = false;
      setStatus('conversing');
      await send(step, 'opt_in_confirmation');
      return;
    }
    if (intent === 'help') {
      await send(step, 'help');
      return;
    }
    if (state.optedOut || state.restricted) return;
    if (state.aiPaused) return; // a person at the business is handling this lead

    switch (intent) {
      case 'book':
        if (state.booking)
          await send(step, 'reply', { purpose: 'answer', note: 'already_booked', offeredSlots: [state.booking.start] });
        else await offerSlots('offer_slots', step, slots);
        return;
      case 'pick_slot': {
        const choice = state.offer?.slots[(slot ?? 0) - 1];
        if (!choice) {
          await offerSlots('offer_slots', step);
          return;
        }
        const booked = await book(choice.start);
        if (!booked.ok) await offerSlots('offer_slots', `${step}-retry`); // taken meanwhile: offer fresh slots
        return;
      }
      case 'reschedule':
        if (state.booking) state.booking.remindersSent = ['24h', '2h']; // pause reminders until the new slot
        await offerSlots('offer_slots', step, slots);
        return;
      case 'cancel_booking':
        if (state.booking) {
          await persistence.cancelAppointment({ businessId, leadId, appointmentId: state.booking.appointmentId });
          state.booking = null;
          setStatus('conversing');
          await send(step, 'reply', { purpose: 'answer', note: 'cancelled' });
        } else {
          await send(step, 'reply', { purpose: 'answer', note: 'nothing_to_cancel' });
        }
        return;
      case 'human':
        state.aiPaused = true;
        setStatus('handed_off');
        await persistence.notifyBusiness({ businessId, leadId, reason: 'handoff_requested' });
        await send(step, 'reply', { purpose: 'answer', note: 'handoff' });
        await persistence.saveLeadStatus({ businessId, leadId, status: 'handed_off', aiPaused: true });
        return;
      case 'not_interested':
        setStatus('closed');
        await send(step, 'reply', { purpose: 'answer', note: 'closing' });
        await persistence.saveLeadStatus({ businessId, leadId, status: 'closed' });
        return;
      default:
        await send(step, 'reply', { purpose: 'answer' });
    }
  }

  async function perform(action: NextAction) {
    switch (action.kind) {
      case 'first_reply': {
        const before = state.status;
        if (state.status === 'new') setStatus('contacted');
        await send('first-reply', 'first_reply', { purpose: 'first_reply' });
        // Held for an inactive account: the same step runs again once it is active.
        if (!state.automationActive) {
          setStatus(before);
          return;
        }
        // Tried and refused (opted out, failed) still counts as done: nothing retries it.
        state.firstReplyAt ??= nowIso();
        return;
      }
      case 'follow_up': {
        const n = state.followUpsSent + 1;
        await send(`follow-up-${n}`, 'follow_up', { purpose: 'follow_up' });
        if (state.automationActive) state.followUpsSent = n;
        return;
      }
      case 'reminder_24h':
      case 'reminder_2h': {
        const booking = state.booking!;
        const which = action.kind === 'reminder_24h' ? '24h' : '2h';
        await send(`reminder-${which}-${booking.appointmentId}-v${booking.version}`, 'reminder', {
          offeredSlots: [booking.start],
        });
        if (state.automationActive) booking.remindersSent.push(which);
        return;
      }
      case 'settle_appointment': {
        const booking = state.booking!;
        const outcome = await persistence.settleAppointment({
          businessId,
          leadId,
          appointmentId: booking.appointmentId,
        });
        state.booking = null;
        setStatus(outcome);
        if (outcome === 'no_show')
          await send(`no-show-${booking.appointmentId}`, 'reply', { purpose: 'answer', note: 'no_show' });
        return;
      }
      case 'retention_delete': {
        const deleted = await persistence.deleteMessagingLogs({ businessId, leadId, cause: 'policy:messaging_logs' });
        // Held in the database before the signal arrived: wait for the release like any hold.
        if (deleted.held) state.legalHold = true;
        else setStatus('retention_deleted');
        return;
      }
      case 'await_legal_hold_release':
        return;
    }
  }

  // What operators filter on in the Temporal UI. Each upsert is a billed action, so the
  // attributes change with the lead's status or the kind of thing it waits for; the exact
  // time of a repeated step (the second follow-up) is in the query, not re-upserted.
  let published = { status: state.status, kind: state.nextAction?.kind ?? null };
  function publish(next: NextAction | null) {
    state.nextAction = next;
    const kind = next?.kind ?? null;
    if (published.status === state.status && published.kind === kind) return;
    published = { status: state.status, kind };
    upsertSearchAttributes([
      { key: LEAD_STATUS, value: state.status },
      { key: NEXT_ACTION_AT, value: next?.at ? new Date(next.at) : null },
    ]);
  }

  if (!state.recorded) {
    const context = await persistence.recordLead({
      leadId,
      businessId,
      lead: input.lead,
      capturedAt: input.capturedAt,
      dataKeyId: input.dataKeyId,
    });
    Object.assign(state, context, { recorded: true });
  }

  for (;;) {
    while (!state.erased && state.inbox.length > 0) await handleInbound(state.inbox.shift()!);
    if (state.status === 'retention_deleted' || state.erased) break;

    const next = planNext(state, Date.now());
    // An action due now is done before anyone could look: publish what follows it instead.
    if (next?.at && Date.parse(next.at) <= Date.now()) state.nextAction = next;
    else publish(next);
    const info = workflowInfo();
    const quietPhase = next?.kind === 'retention_delete' && info.historyLength > QUIET_PHASE_HISTORY;
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT || quietPhase) {
      await condition(allHandlersFinished);
      if (state.inbox.length === 0 && !state.erased)
        await continueAsNew<typeof leadWorkflow>({ ...input, state: { ...state, run: state.run + 1 } });
      continue;
    }

    wake = false;
    const woken = () => wake || state.inbox.length > 0;
    if (!next?.at) {
      await condition(woken);
      continue;
    }
    const delay = Date.parse(next.at) - Date.now();
    // Due now (a first reply): no timer, so no extra history event or billed action.
    if (delay > 0 && (await condition(woken, delay))) continue;
    await perform(next);
  }

  if (state.erased) {
    setStatus('erased');
    // The result is the last payload of this history: nothing of the conversation in it.
    Object.assign(state, { inbox: [], offer: null, booking: null });
    publish(null);
  }
  state.nextAction = null;
  return state;
}

type SendArgs = Parameters<LeadActivities['sendLeadSms']>[0];

/** Workflow time (deterministic under replay), as ISO-8601. */
const nowIso = () => new Date(Date.now()).toISOString();
type SendKind = SendArgs['kind'];

function initialState(input: LeadWorkflowInput): LeadState {
  return {
    leadId: input.leadId,
    status: 'new',
    recorded: false,
    timeZone: 'UTC',
    capturedAt: input.capturedAt,
    lastActivityAt: input.capturedAt,
    firstReplyAt: null,
    followUpsSent: 0,
    cadenceMinutes: [],
    messagingRetentionDays: 730,
    leadReplied: false,
    optedOut: false,
    aiPaused: false,
    automationActive: true,
    restricted: false,
    objected: false,
    legalHold: false,
    offer: null,
    booking: null,
    inbox: [],
    sendSeq: 0,
    nextAction: null,
    run: 1,
  };
}
