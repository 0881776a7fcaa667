import { defineQuery, defineSignal } from '@temporalio/workflow';

export const PRIVACY_REQUEST_TYPES = [
  'access',
  'export',
  'correction',
  'deletion',
  'restriction',
  'objection',
  'marketing_opt_out',
] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

export const VERIFICATION_METHODS = ['code_to_phone', 'code_to_email', 'business_confirmation'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** Stored in privacy_requests.status. */
export type PrivacyRequestStatus =
  'received' | 'awaiting_verification' | 'verified' | 'waiting_legal_hold' | 'completed' | 'rejected';

/**
 * The workflow's input. No personal data at all (the correction's values and the
 * contact are sealed in Postgres), and deliberately no top-level `leadId`: the payload
 * codec encrypts payloads that carry one with the lead's data key, and erasure destroys
 * that key while this workflow still has work to do and its history must stay readable.
 */
export interface PrivacyRequestInput {
  requestId: string;
  businessId: string;
  subjectId: string;
  type: PrivacyRequestType;
  method: VerificationMethod;
  receivedAt: string;
  dueAt: string;
  /** Verified at creation (business confirmation by an owner key). */
  verified: boolean;
  /** How often a deletion waiting on a legal hold re-reads the hold (a release also signals). */
  holdPollMs?: number;
}

export interface PrivacyRequestState {
  status: PrivacyRequestStatus;
  waitingFor: 'verification' | 'legal_hold_release' | null;
  codesSent: number;
  reminders: Array<'7d' | '3d'>;
  escalated: boolean;
}

export const privacyRequestStateQuery = defineQuery<PrivacyRequestState>('privacyRequestState');
/** From the API once the code matched, the owner confirmed, or the fifth wrong code locked it. */
export const verificationSignal = defineSignal<[{ outcome: 'verified' | 'locked' }]>('verification');
/** The code expired before it was used: send a fresh one. */
export const resendCodeSignal = defineSignal<[{ at: string }]>('resendCode');
/** A legal hold on the subject or the business was released: look again now. */
export const holdReleasedSignal = defineSignal<[{ at: string }]>('holdReleased');

export const privacyRequestWorkflowId = (requestId: string) => `privacy-request-${requestId}`;

export { DAY_MS } from '../../domain/time';
export const DUE_AFTER_DAYS = 30;
/** Reminders to the business when this many days are left before the due date. */
export const REMINDER_DAYS_LEFT = [7, 3] as const;
