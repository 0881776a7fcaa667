import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * The account lifecycle of one business: no personal data anywhere in its payloads, only
 * ids, Stripe states, times and counts.
 */
export type AccountStatus = 'active' | 'paused' | 'export_window' | 'waiting_legal_hold' | 'purged';

export interface AccountState {
  status: AccountStatus;
  /** The last Stripe subscription state the workflow was told. */
  subscriptionStatus: string;
  /** Whether the business's lead workflows were last told to send (true) or hold (false). */
  automationActive: boolean;
  /** ISO-8601; set while the subscription is cancelled. */
  cancelledAt: string | null;
  /** When the tenant's data goes: cancelledAt + the cancelled-account period. */
  purgeAt: string | null;
  legalHold: boolean;
  purgedAt: string | null;
  purgeReceiptId: string | null;
  /** When the last billing records of the business may go (newest record + 7 years). */
  billingDeleteAt: string | null;
  run: number;
}

export interface AccountWorkflowInput {
  businessId: string;
  /** Present when the workflow continues as new. */
  state?: AccountState;
}

export interface AccountView {
  businessId: string;
  status: AccountStatus;
  subscriptionStatus: string;
  legalHold: boolean;
  cancelledAt: string | null;
  purgeAt: string | null;
  purgedAt: string | null;
  billingDeleteAt: string | null;
}

export const accountStateQuery = defineQuery<AccountView>('accountState');
/** Sent by the Stripe webhook (signal-with-start) after it stored the state on the business. */
export const accountSubscriptionSignal = defineSignal<[{ status: string; at: string }]>('accountSubscription');

export const accountWorkflowId = (businessId: string) => `account-${businessId}`;
