/**
 * What leadflow needs from an email service, and nothing more.
 *
 * Erasure: Resend's API cannot delete a sent email (it can only cancel one scheduled for
 * later, and leadflow schedules none), so there is no delete here. Resend keeps its copy
 * for its own log retention; our copy (the `emails` row) is what retention and erasure delete.
 */
export interface EmailProvider {
  /** 'resend' or 'local'. */
  readonly name: string;
  /**
   * Sends one email. `idempotencyKey` is our outbox row's key: a retry after a lost answer
   * sends it again with the same key, and the provider answers with the first email
   * instead of sending a second (Resend keeps keys for 24 hours).
   */
  send(input: SendEmailRequest): Promise<SentEmail>;
}

export interface SendEmailRequest {
  /** Unset: the platform's sender (EMAIL_FROM). */
  from?: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
  idempotencyKey: string;
}

export interface SentEmail {
  providerId: string;
}

/** Failures the provider will repeat forever (invalid address, unverified sender, bad key): never retried. */
export class EmailPermanentError extends Error {
  constructor(
    /** The provider's error name, e.g. validation_error. */
    readonly code: string,
    readonly status: number | null,
  ) {
    super(`email permanently refused: ${code}${status === null ? '' : ` (HTTP ${status})`}`);
    this.name = 'EmailPermanentError';
  }
}

/** Rate limits, the provider's own failures and network errors: the caller retries with the same key. */
export class EmailTransientError extends Error {
  constructor(
    readonly code: string,
    readonly status: number | null,
  ) {
    super(`email not sent for now: ${code}${status === null ? '' : ` (HTTP ${status})`}`);
    this.name = 'EmailTransientError';
  }
}
