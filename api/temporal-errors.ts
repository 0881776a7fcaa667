import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import { AppError } from './http/errors';

const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** Temporal being unreachable is the caller's cue to retry, never a 500. */
export function asTemporalUnavailable(err: unknown): AppError | null {
  const cause = err instanceof ServiceError ? err.cause : err;
  const code = isGrpcServiceError(cause) ? cause.code : undefined;
  const unreachable =
    code === UNAVAILABLE ||
    code === DEADLINE_EXCEEDED ||
    (err instanceof Error && /connect|unavailable|deadline/i.test(err.message) && !(err instanceof AppError));
  return unreachable
    ? new AppError('unavailable', 'the workflow service is unavailable; retry shortly', null, 5)
    : null;
}
