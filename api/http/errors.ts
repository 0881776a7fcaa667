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
  idempotency_key_reused: 422,
  rate_limited: 429,
  invalid_credentials: 401,
  account_locked: 429,
  totp_required: 401,
  csrf_failed: 403,
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
function fromHttpError(err: { type?: string; status?: number; fields?: string[] }): AppError | null {
  switch (err.type) {
    case 'charset.invalid_utf8': {
      // json-body.ts names the fields the bytes are in.
      const fields = err.fields?.length ? err.fields : ['(body)'];
      return new AppError(
        'bad_request',
        `${fields[0]}: is not valid UTF-8`,
        fields.map((field) => ({ field, reason: 'is not valid UTF-8' })),
      );
    }
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

/**
 * Errors the request's own values caused: Postgres' data exceptions (class 22: 22P02 not a
 * UUID, 22008 a time out of range, 22001 too long, 22021 bad bytes…), 54000 (an index row too
 * large for a value) and Prisma's codes for the same. Retrying cannot help, and the database is up.
 */
const INPUT_SQLSTATE = /^(22[0-9A-Z]{3}|54000)$/;
const INPUT_PRISMA_CODES = new Set(['P2000', 'P2006', 'P2007', 'P2019', 'P2020', 'P2023', 'P2033']);
/** Prisma refusing a value before it reaches Postgres (a Date past year 9999). */
const INPUT_PRISMA_MESSAGE = /Could not convert (argument value|from `JSON date object`)/;

interface DbErrorLike {
  code?: string;
  name?: string;
  message?: string;
  cause?: { code?: string; originalCode?: string; kind?: string };
  meta?: { code?: string; driverAdapterError?: { cause?: { code?: string; originalCode?: string } } };
}

/** The SQLSTATE (or driver code) under Prisma's wrappers: the driver adapter's cause, or a raw query's meta. */
function databaseCodes(e: DbErrorLike): string[] {
  return [
    e.code,
    e.cause?.code,
    e.cause?.originalCode,
    e.meta?.code,
    e.meta?.driverAdapterError?.cause?.code,
    e.meta?.driverAdapterError?.cause?.originalCode,
  ].filter((c): c is string => typeof c === 'string');
}

/** A value in the request the database cannot store or compare: the caller's to fix, a 400. */
function fromDatabaseInput(err: unknown): AppError | null {
  const e = err as DbErrorLike | null;
  if (!e || typeof e !== 'object') return null;
  const input =
    databaseCodes(e).some((c) => INPUT_SQLSTATE.test(c) || INPUT_PRISMA_CODES.has(c)) ||
    (typeof e.name === 'string' && e.name.startsWith('Prisma') && INPUT_PRISMA_MESSAGE.test(e.message ?? ''));
  return input
    ? new AppError('bad_request', 'a value in the request is malformed, out of range or too long to store')
    : null;
}

/**
 * Postgres unreachable or restarting: the caller should retry, never see a 500. Prisma's
 * messages quote the calling code, so only phrases of a lost connection count (never a bare
 * "connect", which "ConnectorError" and "$connect" contain).
 */
const PRISMA_CONNECTION_LOST =
  /can't reach database|(?:could not|failed to|trying to) connect|server has closed the connection|connection (?:refused|reset|terminated|closed|timed out|error|lost)|terminating connection|timed out fetching a new connection/i;

function fromDatabaseDown(err: unknown): AppError | null {
  const e = err as DbErrorLike | null;
  if (!e) return null;
  const prismaConnection =
    typeof e.name === 'string' && e.name.startsWith('Prisma') && PRISMA_CONNECTION_LOST.test(e.message ?? '');
  return databaseCodes(e).some((c) => DB_DOWN_CODES.has(c)) ||
    prismaConnection ||
    e.name === 'PrismaClientInitializationError'
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
          : (fromDatabaseInput(err) ?? fromDatabaseDown(err) ?? fromHttpError(err ?? {}));
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
