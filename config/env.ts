import { z } from 'zod';
import { parseTrustProxy, TRUST_PROXY_HELP } from '../api/http/trust-proxy';

const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v), { message: `must be a URL (${what})` });

const port = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const key32 = z
  .string()
  .trim()
  .refine((v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32, {
    message: 'must be 32 bytes, as 64 hex characters or base64',
  });

/**
 * Every variable leadflow reads, in one place. Names in the first block are relied on by
 * deployment scripts outside this repository (PRODUCT.md, "Configuration"): keep them.
 */
export const ZEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: port.default(3000),
  PUBLIC_BASE_URL: url('the public URL of the API, e.g. https://leads.example.com').optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .refine((v) => /^postgres(ql)?:\/\//.test(v) && URL.canParse(v), {
      message: 'must be a postgresql:// URL',
    })
    .optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .trim()
    .regex(/^[^\s:/]+:\d+$/, 'must be host:port, e.g. localhost:7233')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_API_KEY: optional,
  TEMPORAL_TLS_CERT: optional,
  TEMPORAL_TLS_KEY: optional,
  ADMIN_TOKEN: z.string().trim().min(24, 'must be at least 24 characters').optional(),
  /** Prometheus scrapes the API's /metrics with this bearer token; unset, the API serves no metrics. */
  METRICS_TOKEN: z.string().trim().min(24, 'must be at least 24 characters').optional(),
  ENCRYPTION_KEY: key32.optional(),
  /** After a rotation: the earlier master keys, comma-separated, so data keys they wrapped still open. */
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .trim()
    .transform((v) =>
      v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    )
    .pipe(z.array(key32))
    .default([]),
  /** Origins of the Temporal Web UI allowed to call the API's codec endpoint (comma-separated). */
  TEMPORAL_UI_ORIGINS: z
    .string()
    .trim()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .default(['http://localhost:8233', 'http://127.0.0.1:8233']),
  /** Which proxies in front of the API may name the client (X-Forwarded-For): hops, true, false, loopback, CIDR list. */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('loopback')
    .transform((v, ctx) => {
      const parsed = parseTrustProxy(v);
      if (parsed === null) ctx.addIssue({ code: 'custom', message: TRUST_PROXY_HELP });
      return parsed ?? false;
    }),
  /** 1: webhook endpoints may be http and resolve to loopback or private addresses (development, tests only). */
  WEBHOOK_ALLOW_PRIVATE: optional
    .pipe(z.enum(['0', '1'], { message: 'must be 0 or 1' }).optional())
    .transform((v) => v === '1'),
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_API_BASE_URL: url('a server that speaks Twilio’s REST API').optional(),
  TWILIO_MESSAGING_SERVICE_SID: optional,
  ANTHROPIC_API_KEY: optional,
  ANTHROPIC_BASE_URL: url('a server that speaks Anthropic’s Messages API').optional(),
  // claude-sonnet-4-5 reached end-of-life on 2026-11-30 (the SDK warns on every call with it).
  ANTHROPIC_MODEL: z.string().trim().min(1).default('claude-sonnet-4-6'),
  GOOGLE_CLIENT_ID: optional,
  GOOGLE_CLIENT_SECRET: optional,
  GOOGLE_API_BASE_URL: url('a server that speaks the Google Calendar API').optional(),
  /** Where browsers are sent for Google's consent page (/o/oauth2/v2/auth); unset: GOOGLE_API_BASE_URL's server, else Google. */
  GOOGLE_OAUTH_BASE_URL: url('a server that serves Google’s OAuth consent page').optional(),
  RESEND_API_KEY: optional,
  RESEND_BASE_URL: url('a server that speaks Resend’s REST API').optional(),
  /** The sender of every email, at a domain verified at Resend, e.g. "Leadflow <alerts@mail.example.com>". */
  EMAIL_FROM: optional.transform((v) => v ?? 'Leadflow <notifications@leadflow.localhost>'),
  STRIPE_SECRET_KEY: optional,
  STRIPE_WEBHOOK_SECRET: optional,
  STRIPE_API_BASE_URL: url('a server that speaks Stripe’s API').optional(),

  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
  /** The worker serves the Temporal SDK's own metrics here for Prometheus (0 turns them off). */
  WORKER_METRICS_PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(9464),
  /** On SIGTERM the worker stops polling and lets running activities finish this long before cancelling them. */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0)
    .max(3600, 'must be at most 3600')
    .default(30),
  /** Activity and workflow-task slots of the privacy queue (retention sweeps, tenant purges, data-subject requests). */
  WORKER_PRIVACY_CONCURRENCY: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(2, 'must be at least 2')
    .max(200)
    .default(4),
  /** A workflow bundle built by `npm run build:workflows`; unset, the worker bundles the workflows at start. */
  WORKFLOW_BUNDLE_PATH: optional,
  /** Tracing is on when set: spans go over OTLP/HTTP to <endpoint>/v1/traces (the OpenTelemetry standard variable). */
  OTEL_EXPORTER_OTLP_ENDPOINT: optional.pipe(url('an OTLP/HTTP collector, e.g. http://otel-collector:4318').optional()),
  /** The service name on spans; unset, leadflow-api and leadflow-worker. */
  OTEL_SERVICE_NAME: optional,
});

/**
 * Rules across variables, checked on the raw environment so they are reported together
 * with every per-variable problem instead of only after those are fixed.
 */
export function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => Boolean(env[name]?.trim());
  const problems: string[] = [];
  const pairs: Array<[string, string, string]> = [
    ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'mutual TLS needs both the certificate and the key'],
    ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'Twilio needs both the account SID and the auth token'],
  ];
  for (const [a, b, why] of pairs) {
    if (set(a) !== set(b)) problems.push(`${set(a) ? b : a} is required: ${why}`);
  }
  if (set('RESEND_API_KEY') && !set('EMAIL_FROM'))
    problems.push('EMAIL_FROM is required when RESEND_API_KEY is set: Resend sends only from a domain verified there');
  if (env.NODE_ENV === 'production') {
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'ENCRYPTION_KEY', 'ADMIN_TOKEN']) {
      if (!set(name)) problems.push(`${name} is required in production`);
    }
  }
  return problems;
}

export type Env = z.infer<typeof ZEnvSchema>;
