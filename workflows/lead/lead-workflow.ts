import {
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { LeadActivities } from '../../activities/types';
import { leadStateQuery, optOutSignal, type LeadState, type LeadWorkflowInput } from './definitions';

const { recordLead, sendSms, deleteMessagingLogs } = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  // Persistence retries for as long as it takes: a capture is never dropped because
  // Postgres was down for a while.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const DAY_MS = 24 * 60 * 60 * 1000;

export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadState> {
  const state: LeadState = input.state ?? {
    status: 'new',
    lastActivityAt: input.capturedAt,
    nextAction: { kind: 'first_reply', at: input.capturedAt },
    messagesSent: 0,
    recorded: false,
  };
  // Handlers first: a query or signal that arrives before the first await is never lost.
  setHandler(leadStateQuery, () => state);
  setHandler(optOutSignal, ({ at }) => {
    state.status = 'opted_out';
    state.lastActivityAt = at;
  });

  const { workflowId } = workflowInfo();
  if (!state.recorded) {
    await recordLead({ leadId: input.leadId, businessId: input.businessId, lead: input.lead, capturedAt: input.capturedAt });
    state.recorded = true;
  }

  if (state.nextAction?.kind === 'first_reply' && state.status === 'new') {
    await sendSms({
      idempotencyKey: `${workflowId}:first-reply`,
      businessId: input.businessId,
      leadId: input.leadId,
      to: input.lead.phone,
      body: `Hi ${firstName(input.lead.name)}, thanks for reaching out! We got your request and will text you shortly to help. Reply STOP to opt out.`,
    });
    state.messagesSent += 1;
    state.status = 'contacted';
  }

  // Messaging logs live for a fixed time after the lead's last activity; any activity
  // (an opt-out now, inbound messages later) moves the deadline.
  for (;;) {
    const deadline = Date.parse(state.lastActivityAt) + input.messagingRetentionDays * DAY_MS;
    state.nextAction = { kind: 'retention_delete', at: new Date(deadline).toISOString() };
    const seenActivity = state.lastActivityAt;
    const rearmed = await condition(() => state.lastActivityAt !== seenActivity, Math.max(0, deadline - Date.now()));
    if (!rearmed) break;
  }

  await deleteMessagingLogs({ businessId: input.businessId, leadId: input.leadId, reason: 'retention:messaging-logs' });
  state.status = 'retention_deleted';
  state.nextAction = null;
  return state;
}

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? 'there';
}
