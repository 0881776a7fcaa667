/** What went wrong, in the caller's terms; the API maps each code to one HTTP status (api/http/errors). */
export const APP_ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'unprocessable',
  /** An Idempotency-Key sent again with another request body (Stripe's behaviour: 422). */
  'idempotency_key_reused',
  'rate_limited',
  /** Sign-in: a wrong email or password (one answer for both), a locked account, a missing second factor. */
  'invalid_credentials',
  'account_locked',
  'totp_required',
  /** A cookie-authenticated change without its X-CSRF-Token. */
  'csrf_failed',
  'internal',
  'unavailable',
] as const;

export type ErrorCode = (typeof APP_ERROR_CODES)[number];

/** The one error type use cases and routes throw. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what = 'resource') => new AppError('not_found', `${what} not found`);
