import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  appointmentOutcomeUpdate,
  bookSlotUpdate,
  carrierRefusedSignal,
  cancelAppointmentUpdate,
  eraseSignal,
  handBackSignal,
  inboundSmsSignal,
  invoicePaidSignal,
  jobUpdate,
  leadStateQuery,
  legalHoldSignal,
  manualMessageUpdate,
  missedCallSignal,
  moveAppointmentUpdate,
  optOutSignal,
  processingLimitsSignal,
  senderConfiguredSignal,
  stopReviewRequestSignal,
  subscriptionSignal,
  technicianChangedSignal,
  type LeadState,
  type LeadWorkflowInput,
} from './definitions';
import { LeadConversation } from './lead-conversation';
import { planNext } from './plan';
import { PlanTimer } from './plan-timer';

/** Histories stay small over a two-year life: a new run before this many events. */
const HISTORY_LIMIT = 1500;
/** Before a long quiet wait, start a fresh run once the current one has done some work. */
const QUIET_PHASE_HISTORY = 150;

/**
 * One lead, from capture to the deletion of its messages two years after the last
 * activity: answers within seconds, follows up, converses, books and reminds, and stops
 * at once on STOP. The conversation lives in LeadConversation; this is its wiring and its loop.
 */
export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadState> {
  const lead = new LeadConversation(input);
  const { state } = lead;

  // Handlers first: a signal, query or update that arrives before the first await is never lost.
  setHandler(leadStateQuery, () => state);
  setHandler(inboundSmsSignal, (sms) => lead.receive(sms));
  setHandler(missedCallSignal, (call) => lead.missedCall(call));
  setHandler(optOutSignal, (optOut) => lead.optOut(optOut));
  setHandler(subscriptionSignal, (subscription) => lead.subscription(subscription));
  setHandler(legalHoldSignal, (hold) => lead.legalHold(hold));
  setHandler(processingLimitsSignal, (limits) => lead.processingLimits(limits));
  setHandler(eraseSignal, () => lead.erase());
  setHandler(senderConfiguredSignal, () => lead.senderConfigured());
  setHandler(carrierRefusedSignal, (refusal) => lead.carrierRefused(refusal));
  setHandler(handBackSignal, () => lead.handBack());
  setHandler(invoicePaidSignal, (paid) => lead.invoicePaid(paid));
  setHandler(stopReviewRequestSignal, () => lead.stopReviewRequest());
  setHandler(technicianChangedSignal, (change) => lead.technicianChanged(change));
  setHandler(manualMessageUpdate, (message) => lead.manualMessage(message), {
    validator: (message) => lead.validateManualMessage(message),
  });
  setHandler(bookSlotUpdate, (booking) => lead.bookSlot(booking), {
    validator: (booking) => lead.validateBooking(booking),
  });
  setHandler(moveAppointmentUpdate, (move) => lead.moveAppointment(move), {
    validator: (move) => lead.validateMoveAppointment(move),
  });
  setHandler(cancelAppointmentUpdate, () => lead.cancelAppointment(), {
    validator: () => lead.validateCancelAppointment(),
  });
  setHandler(appointmentOutcomeUpdate, (mark) => lead.appointmentOutcome(mark), {
    validator: (mark) => lead.validateAppointmentOutcome(mark),
  });
  setHandler(jobUpdate, (update) => lead.jobUpdate(update), {
    validator: (update) => lead.validateJobUpdate(update),
  });

  await lead.record();

  const timer = new PlanTimer();
  for (;;) {
    await lead.answerInbox();
    if (state.status === 'retention_deleted' || lead.erased) break;

    const next = planNext(state, Date.now());
    // An action due now is done before anyone could look: publish what follows it instead.
    if (next?.at && Date.parse(next.at) <= Date.now()) state.nextAction = next;
    else lead.publish(next);
    const info = workflowInfo();
    const quietPhase = next?.kind === 'retention_delete' && info.historyLength > QUIET_PHASE_HISTORY;
    if (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT || quietPhase) {
      await condition(allHandlersFinished);
      if (state.inbox.length === 0 && !lead.erased)
        await continueAsNew<typeof leadWorkflow>({ ...input, state: { ...state, run: state.run + 1 } });
      continue;
    }

    lead.wake = false;
    const woken = () => lead.wake || state.inbox.length > 0;
    if (!next?.at) {
      timer.cancel();
      await condition(woken);
      continue;
    }
    const at = Date.parse(next.at);
    // Due now (a first reply): no timer, so no extra history event or billed action.
    if (at > Date.now()) {
      // Runs before 'steady-timer' started a timer per wait; now one lasts while the time holds.
      if (!patched('steady-timer')) {
        if (await condition(woken, at - Date.now())) continue;
      } else if (!(await timer.until(at, woken))) continue;
    }
    await lead.perform(next);
  }

  return lead.finish();
}
