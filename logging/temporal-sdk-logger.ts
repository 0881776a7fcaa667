import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from './logger';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Metadata as the project logs it: an error becomes its type (`errType`, and the failure's
 * own type when it has one). Its message and stack may quote a provider's answer, which
 * can name the person; the rest goes through the logger's redaction.
 */
function fields(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (value instanceof Error) {
      out.errType = value.name;
      const failureType = (value as { type?: unknown }).type;
      if (typeof failureType === 'string') out.failureType = failureType;
    } else out[key] = value;
  }
  return out;
}

/**
 * The Temporal SDK's logger interface (what its DefaultLogger implements) over the
 * project's pino logger, for `Runtime.install({ logger })`: the SDK's own lines, Core's
 * forwarded ones and workflow/activity context logs all come out redacted, as JSON, at the
 * process's LOG_LEVEL.
 */
export function temporalSdkLogger(log: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) =>
    log[LEVELS[level] ?? 'info'](fields(meta), message);
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}
