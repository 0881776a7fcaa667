import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../../logging/logger';
import { AppError, notFound, type ErrorCode } from '../../services/app-error';

export { AppError, notFound, type ErrorCode };

export const ERROR_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

function fromZod(err: ZodError): AppError {
  const details = err.issues.map((i) => ({ field: i.path.join('.') || '(body)', reason: i.message }));
  const first = details[0];
  const message = first ? `${first.field}: ${first.reason}` : 'invalid request';
  return new AppError('bad_request', message, details);
}

/** Errors raised by Express's own body parsers carry a `type` and a `status`. */
function fromHttpError(err: { type?: string; status?: number }): AppError | null {
  switch (err.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'request body is too large');
    case 'entity.parse.failed':
      return new AppError('bad_request', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 'unsupported body encoding');
    default:
      return err.status && err.status >= 400 && err.status < 500
        ? new AppError('bad_request', 'malformed request')
        : null;
  }
}

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
  'P1001',
  'P1002',
  'P1017',
  'P2024',
]);

/** Postgres unreachable or restarting: the caller should retry, never see a 500. */
function fromDatabaseDown(err: unknown): AppError | null {
  const e = err as { code?: string; cause?: { code?: string }; name?: string; message?: string } | null;
  if (!e) return null;
  const code = e.code ?? e.cause?.code;
  const prismaConnection =
    typeof e.name === 'string' &&
    e.name.startsWith('Prisma') &&
    /can't reach|connect|connection|terminat|timed out/i.test(e.message ?? '');
  return (code && DB_DOWN_CODES.has(code)) || prismaConnection || e.name === 'PrismaClientInitializationError'
    ? new AppError('unavailable', 'the database is unavailable; retry shortly', null, 5)
    : null;
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError =
      err instanceof AppError
        ? err
        : err instanceof ZodError
          ? fromZod(err)
          : (fromDatabaseDown(err) ?? fromHttpError(err ?? {}));
    const final = appError ?? new AppError('internal', 'internal error');
    const status = ERROR_STATUS[final.code];
    if (status >= 500) {
      // Only the error's type and stack frames: its message may quote personal data.
      log.error(
        {
          errType: err?.name,
          code: final.code,
          route: req.route?.path,
          method: req.method,
          stack: err?.stack?.split('\n').slice(1, 6).join('\n'),
        },
        'request failed',
      );
    }
    if (final.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(final.retryAfterSeconds));
    res.status(status).json({ error: { code: final.code, message: final.message, details: final.details ?? null } });
  };
}

export const notFoundRoute: RequestHandler = (req, _res, next) =>
  next(new AppError('not_found', `no route for ${req.method} ${req.path}`));
