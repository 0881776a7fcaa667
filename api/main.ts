import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { loadConfigOrExit } from '../config/load-config';
import { createPrisma } from '../db/prisma';
import { derivePrivacyKeys } from '../domain/crypto/privacy-keys';
import { parseMasterKey } from '../domain/crypto/secret-box';
import { createLogger } from '../logging/logger';
import { temporalSettings } from '../temporal.config';
import { createApp } from './app';

const config = loadConfigOrExit();
const log = createLogger({ name: 'leadflow-api', level: config.LOG_LEVEL });
if (!config.DATABASE_URL) {
  log.fatal('DATABASE_URL is not set: run `npm start` for the local stack, or point it at your PostgreSQL');
  process.exit(78);
}

const temporal = temporalSettings(config, (p) => readFileSync(p));
// Lazy: the API starts (and answers 503 with Retry-After) even while Temporal is down.
const connection = Connection.lazy(temporal.connection);
const db = createPrisma({ databaseUrl: config.DATABASE_URL });
const app = createApp({
  db,
  temporal: new Client({ connection, namespace: temporal.namespace }),
  log,
  settings: {
    adminToken: config.ADMIN_TOKEN,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    twilioAuthToken: config.TWILIO_AUTH_TOKEN,
    stripeSecretKey: config.STRIPE_SECRET_KEY,
    stripeWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
    stripeApiBaseUrl: config.STRIPE_API_BASE_URL,
    localSms: !config.TWILIO_ACCOUNT_SID,
    widgetDemo: config.NODE_ENV === 'development',
  },
  // `npm start` mints a publishable key for the demo page at each start (keys are stored hashed).
  widgetDemoKey: async () => process.env.LEADFLOW_DEMO_WIDGET_KEY ?? null,
  privacyKeys: config.ENCRYPTION_KEY ? derivePrivacyKeys(parseMasterKey(config.ENCRYPTION_KEY)) : null,
});

const server = app.listen(config.PORT, () => {
  log.info({ port: config.PORT }, 'leadflow API listening');
});

const shutdown = () => {
  server.close(() => {
    void Promise.allSettled([db.$disconnect(), connection.close()]).then(() => process.exit(0));
  });
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
