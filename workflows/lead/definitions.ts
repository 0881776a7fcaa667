import { defineQuery, defineSignal } from '@temporalio/workflow';

/** The lead as captured. Personal data: only ever in payloads, never in memo or search attributes. */
export interface CapturedLead {
  name: string;
  phone: string;
  email?: string;
  message?: string;
  source: 'api' | 'widget' | 'sms';
}

export type LeadStatus = 'new' | 'contacted' | 'opted_out' | 'closed' | 'retention_deleted';

export interface NextAction {
  kind: 'first_reply' | 'retention_delete';
  at: string; // ISO-8601, UTC
}

export interface LeadWorkflowInput {
  leadId: string;
  businessId: string;
  lead: CapturedLead;
  capturedAt: string;
  /** How long messaging logs live after the last activity; from the retention policy module. */
  messagingRetentionDays: number;
  /** Present when the workflow continues as new. */
  state?: LeadState;
}

export interface LeadState {
  status: LeadStatus;
  lastActivityAt: string;
  nextAction: NextAction | null;
  messagesSent: number;
  recorded: boolean;
}

export const leadStateQuery = defineQuery<LeadState>('leadState');
export const optOutSignal = defineSignal<[{ at: string }]>('optOut');

export const leadWorkflowId = (leadId: string) => `lead-${leadId}`;
