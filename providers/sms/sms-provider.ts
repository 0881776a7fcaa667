/** What leadflow needs from an SMS carrier, and nothing more. */
export interface SmsProvider {
  readonly name: string;
  /** True when it cannot send without the business's own number (`from`): no default sender is configured. */
  readonly needsSender?: boolean;
  /**
   * Sends one message. `clientRef` is our outbox row id; it travels in the status
   * callback URL so delivery reports find their row.
   */
  send(input: SendSmsRequest): Promise<SentSms>;
  /**
   * After a crash between the carrier call and our record of it, the outcome is unknown.
   * Returns the carrier's message if it has one matching the request sent at or after
   * `since`, so the activity records it instead of texting the lead a second time.
   */
  findSent(input: { from: string | null; to: string; body: string; since: Date }): Promise<SentSms | null>;
  /** Erasure: removes the carrier's copy of a message (Twilio message resources). */
  deleteMessage(providerId: string): Promise<void>;
}

export interface SendSmsRequest {
  from: string | null;
  to: string;
  body: string;
  clientRef: string;
}

export interface SentSms {
  providerId: string;
  status: SmsStatus;
}

export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'undelivered';

/** Failures the carrier will repeat forever: never retried, they move the lead to a clear state. */
export type PermanentSmsFailure = 'invalid_number' | 'unsubscribed_recipient' | 'unroutable' | 'rejected';

export class SmsPermanentError extends Error {
  constructor(
    readonly code: PermanentSmsFailure,
    readonly providerCode: string | number | undefined,
  ) {
    super(`SMS permanently refused: ${code}${providerCode === undefined ? '' : ` (provider code ${providerCode})`}`);
    this.name = 'SmsPermanentError';
  }
}
