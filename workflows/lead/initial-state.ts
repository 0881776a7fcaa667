import type { LeadState, LeadWorkflowInput } from './definitions';

/** A new lead's state before its first step: pure, so the workflow and the planning tests share it. */
export function initialState(input: LeadWorkflowInput): LeadState {
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
    nextAction: null,
    run: 1,
  };
}
