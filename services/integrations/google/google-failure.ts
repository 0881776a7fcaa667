import { AppError } from '../../app-error';

const statusOf = (err: unknown): number | undefined => {
  const e = err as { status?: unknown; response?: { status?: unknown } } | null;
  const status = e?.response?.status ?? e?.status;
  return typeof status === 'number' ? status : undefined;
};

/** Google's OAuth error code (`invalid_grant`, `invalid_token`, …) from a failed token or revoke call. */
export function oauthErrorOf(err: unknown): string | undefined {
  const data = (err as { response?: { data?: unknown } } | null)?.response?.data as { error?: unknown } | undefined;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/**
 * A failed call with the stored authorization, in the caller's terms: Google no longer
 * accepting it (revoked in the Google account, or expired) is for the owner to fix by
 * connecting again; anything else is Google being unavailable, worth a retry.
 */
export function asGoogleFailure(err: unknown): AppError {
  const status = statusOf(err);
  if (oauthErrorOf(err) === 'invalid_grant' || status === 401 || status === 403)
    return new AppError(
      'conflict',
      'Google no longer accepts this connection (revoked or expired): connect Google Calendar again',
    );
  return new AppError('unavailable', 'Google Calendar is unavailable; retry shortly', null, 30);
}

export { statusOf as googleStatusOf };
