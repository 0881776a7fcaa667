import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths that may carry personal data (a lead's phone, email, name, message text) or
 * secrets. They are censored wherever they appear in a log object, so a careless
 * `log.info({ lead })` still leaks nothing. Logs carry ids, never the person.
 */
export const REDACTED_PATHS = [
  'phone',
  'to',
  'from',
  'email',
  'name',
  'body',
  'message',
  'text',
  'firstName',
  'lastName',
  '*.phone',
  '*.to',
  '*.from',
  '*.email',
  '*.name',
  '*.body',
  '*.message',
  '*.text',
  '*.*.phone',
  '*.*.email',
  '*.*.name',
  '*.*.body',
  '*.*.message',
  '*.*.text',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'apiKey',
  'token',
  'secret',
  '*.apiKey',
  '*.token',
  '*.secret',
];

export function createLogger(opts: { level?: string; name: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      // No pino `name` field: `name` is a redacted path (a lead's name), so the process
      // is told apart by `service` instead.
      level: opts.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: opts.name },
    },
    opts.destination,
  );
}

export type { Logger };
