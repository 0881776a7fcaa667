import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config/load-config';
import { API_KEY_POOL_SIZE, leadCodecFromKeyring } from '../codec/lead-data-converter';
import { createPrisma } from '../db/prisma';
import { keyringFromConfig } from '../domain/crypto/keyring';
import { privacyKeysOf } from '../domain/crypto/privacy-keys';
import { TOTP_KEY_PURPOSE } from '../services/people/totp-secret';
import { createLogger } from '../logging/logger';
import { temporalSettings } from '../temporal.config';
import { tracingClientInterceptors } from '../tracing/temporal';
import { startTracing } from '../tracing/tracing';
import { googleOAuthSettingsFrom } from '../services/integrations/google/google-settings';
import { createApp } from './app';
import { createResendEmailProvider } from '../providers/email/resend';

const config = loadConfigOrExit();
const log = createLogger({ name: 'leadflow-api', level: config.LOG_LEVEL });
if (!config.DATABASE_URL) {
  log.fatal('DATABASE_URL is not set: run `npm start` for the local stack, or point it at your PostgreSQL');
  process.exit(78);
}

// Before the app is built: requests, and the workflows they start, are traced from the first one.
const tracing = startTracing({
  endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
  serviceName: config.OTEL_SERVICE_NAME ?? 'leadflow-api',
});
const temporal = temporalSettings(config, (p) => readFileSync(p));
// Lazy: the API starts (and answers 503 with Retry-After) even while Temporal is down.
const connection = Connection.lazy(temporal.connection);
const db = createPrisma({ databaseUrl: config.DATABASE_URL });
// Every payload of a lead is encrypted with its own key (crypto-shredding on erasure); the
// pool of ready keys lets capture work while Postgres is down.
const keyring = keyringFromConfig(config);
const leadCodec = leadCodecFromKeyring(keyring, db, { log, poolSize: API_KEY_POOL_SIZE });
if (!leadCodec) log.warn('ENCRYPTION_KEY is not set: workflow payloads are stored in clear (production requires it)');
const app = createApp({
  db,
  temporal: new Client({
    connection,
    namespace: temporal.namespace,
    dataConverter: leadCodec?.dataConverter,
    interceptors: tracingClientInterceptors(tracing),
  }),
  leadCodec,
  log,
  settings: {
    adminToken: config.ADMIN_TOKEN,
    metricsToken: config.METRICS_TOKEN,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    twilioAuthToken: config.TWILIO_AUTH_TOKEN,
    stripeSecretKey: config.STRIPE_SECRET_KEY,
    stripeWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
    stripeApiBaseUrl: config.STRIPE_API_BASE_URL,
    localSms: !config.TWILIO_ACCOUNT_SID,
    localEmail: !config.RESEND_API_KEY,
    widgetDemo: config.NODE_ENV === 'development',
    temporalUiOrigins: config.TEMPORAL_UI_ORIGINS,
    trustProxy: config.TRUST_PROXY,
    webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    google: googleOAuthSettingsFrom(config) ?? undefined,
  },
  // `npm start` mints a publishable key for the demo page at each start (keys are stored hashed).
  widgetDemoKey: async () => process.env.LEADFLOW_DEMO_WIDGET_KEY ?? null,
  privacyKeys: keyring ? privacyKeysOf(keyring) : null,
  totpBox: keyring?.boxFor(TOTP_KEY_PURPOSE) ?? null,
  // Invitations and password resets go out from the API at once; without Resend they stay in the local outbox.
  email: config.RESEND_API_KEY
    ? createResendEmailProvider({
        apiKey: config.RESEND_API_KEY,
        defaultFrom: config.EMAIL_FROM,
        baseUrl: config.RESEND_BASE_URL,
      })
    : undefined,
  emailFrom: config.EMAIL_FROM,
});

const server = app.listen(config.PORT, () => {
  log.info({ port: config.PORT, tracing: tracing ? 'on' : 'off' }, 'leadflow API listening');
});

/** How long requests in flight may take once the process is told to stop. */
const SHUTDOWN_DEADLINE_MS = 10_000;
let stopping = false;
// While stopping, every answer closes its connection: a client that keeps a connection busy
// with new requests would otherwise hold the process open indefinitely.
server.on('request', (_req, res) => {
  if (stopping) res.setHeader('Connection', 'close');
});
const shutdown = () => {
  stopping = true;
  // Event streams never finish on their own: they end now, and their browsers reconnect to another replica.
  void app.deps.liveEvents.close();
  server.close(() => {
    leadCodec?.close();
    void Promise.allSettled([db.$disconnect(), connection.close(), tracing?.shutdown()]).then(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), SHUTDOWN_DEADLINE_MS).unref();
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
