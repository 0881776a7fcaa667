import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Client } from '@temporalio/client';
import type { LeadCodec } from '../codec/lead-data-converter';
import type { Db } from '../db/prisma';
import type { PrivacyKeys } from '../domain/crypto/privacy-keys';
import type { SecretBox } from '../domain/crypto/secret-box';
import type { Logger } from '../logging/logger';
import { TASK_QUEUES } from '../temporal.config';
import { authenticate } from './auth/authenticate';
import { sessionMiddleware } from './auth/session';
import { keyOrSession, sessionOnly } from './auth/session-or-key';
import { authRoutes } from './routes/auth';
import { userRoutes } from './routes/users';
import type { EmailProvider } from '../providers/email/email-provider';
import { KeyCache } from './auth/key-cache';
import { temporalCaller, widgetConfigLoader, type ApiDeps, type ApiSettings } from './deps';
import { AppError, errorMiddleware, notFoundRoute } from './http/errors';
import { mountRoutes, type Guards } from './http/route';
import { createMetrics, metricsEndpoint } from './metrics';
import { openApiDocument } from './openapi';
import { referencePage } from './reference-page';
import { appStatic } from './app-static';
import { businessRoutes } from './routes/businesses';
import { createHealthRouter } from './routes/health';
import { createWidgetRouter } from './widget/router';
import { leadRoutes } from './routes/leads';
import { leadConsentRoutes } from './routes/lead-consent';
import { eventRoutes } from './routes/events';
import { LiveEventHub } from './live/live-event-hub';
import { poolOf } from '../db/prisma';
import { analyticsRoutes } from './routes/analytics';
import { appointmentRoutes } from './routes/appointments';
import { appointmentListRoutes } from './routes/appointment-list';
import { reviewRequestRoutes } from './routes/review-requests';
import { codecCors, codecRoutes, codecLoginRoutes } from './routes/codec';
import { complianceRoutes } from './routes/compliance';
import { complianceConsoleRoutes } from './routes/compliance-console';
import { devRoutes } from './routes/dev';
import { emailUnsubscribeRoutes } from './routes/email-unsubscribe';
import { legalHoldRoutes } from './routes/legal-hold';
import { accountRoutes } from './routes/account';
import { alertRoutes } from './routes/alerts';
import { businessLegalHoldRoutes } from './routes/business-legal-hold';
import { importRoutes } from './routes/imports';
import { googleIntegrationRoutes } from './routes/integrations-google';
import { privacyRoutes } from './routes/privacy';
import { stripeRoutes, stripeSignature } from './routes/stripe';
import { twilioSignature, twilioWebhookRoutes } from './routes/twilio-webhooks';
import { twilioVoiceRoutes } from './routes/twilio-voice';
import { widgetConfigRoutes } from './routes/widget-config';
import { registerWebhookCatalogue } from './routes/webhook-catalogue';
import { webhookEndpointRoutes } from './routes/webhook-endpoints';
import { technicianRoutes } from './routes/technicians';
import { serviceRoutes } from './routes/services';
import { widgetPreflight } from './http/widget-cors';
import { refuseInvalidUtf8, refuseLoneSurrogates } from './http/json-body';
import { httpServerSpans } from '../tracing/http-spans';
import { leadWorkflowClient } from '../services/leads/lead-workflow-client';
import { privacyRequestClient } from '../services/privacy/privacy-request-client';
import type { ThrottleOptions } from './auth/throttle';
import { adminTokenGuard } from './auth/admin-token';
import { credentialHeaders } from './auth/credential-headers';

export interface AppOptions {
  db: Db;
  temporal: Client;
  log: Logger;
  settings?: Partial<ApiSettings>;
  /** How long a call to Temporal may take before the API answers 503. */
  temporalTimeoutMs?: number;
  /** The lead workflows' task queue; tests give each file its own. */
  taskQueue?: string;
  now?: () => Date;
  throttle?: ThrottleOptions;
  /** Sign-in failures per client address (services/people/sign-in SIGN_IN_ADDRESS_THROTTLE unless set). */
  signInThrottle?: ThrottleOptions;
  /** Sends invitations and password resets; the local outbox (GET /v1/dev/emails) unless set. */
  email?: EmailProvider;
  /** The sender of those emails (EMAIL_FROM). */
  emailFrom?: string;
  /** The publishable key the widget demo page embeds (development). */
  widgetDemoKey?: () => Promise<string | null>;
  /** The payload codec the `temporal` client was built with: capture takes lead data keys from its pool. */
  leadCodec?: LeadCodec | null;
  /** From ENCRYPTION_KEY (domain/crypto/privacy-keys): seals data-subject request details, hashes their codes. */
  privacyKeys?: PrivacyKeys | null;
  /** From ENCRYPTION_KEY: seals people's TOTP secrets (services/people/totp-secret.ts). */
  totpBox?: SecretBox | null;
}

const JSON_ONLY: RequestHandler = (req, _res, next) => {
  // Webhooks arrive in their senders' formats (Twilio: form-encoded; Stripe: raw JSON, signed).
  // RFC 8058: mail apps send the one-click unsubscribe form-encoded (the body is ignored).
  // Customer imports are CSV files, streamed by their route (api/routes/imports.ts).
  const ownFormat = req.path.startsWith('/webhooks/') || req.path === '/email/unsubscribe' || req.path === '/imports';
  if (ownFormat) return next();
  const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
  const length = req.headers['content-length'];
  const empty = length === '0' || (length === undefined && !req.headers['transfer-encoding']);
  if (hasBody && !empty && !req.is('application/json'))
    return next(new AppError('unsupported_media_type', 'send the body as application/json'));
  next();
};

// Any answer under /v1 may hold personal data: no browser or proxy keeps it (a route that serves public settings may say otherwise).
const NO_STORE: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

export function createApp(opts: AppOptions): Express & { deps: ApiDeps } {
  const settings: ApiSettings = { localSms: true, widgetDemo: false, ...opts.settings };
  const taskQueue = opts.taskQueue ?? TASK_QUEUES.leads;
  const withTemporal = temporalCaller(opts.temporal, opts.temporalTimeoutMs ?? 5000);
  const deps: ApiDeps = {
    db: opts.db,
    temporal: opts.temporal,
    log: opts.log,
    taskQueue,
    settings,
    metrics: createMetrics(),
    keyCache: new KeyCache(),
    now: opts.now ?? (() => new Date()),
    leadCodec: opts.leadCodec ?? null,
    privacyKeys: opts.privacyKeys ?? null,
    totpBox: opts.totpBox ?? null,
    withTemporal,
    leads: leadWorkflowClient({ temporal: opts.temporal, taskQueue, call: withTemporal }),
    privacyRequests: privacyRequestClient({ temporal: opts.temporal, taskQueue, call: withTemporal }),
    widgetConfig: widgetConfigLoader(opts.db),
    liveEvents: new LiveEventHub({
      connection: () => poolOf(opts.db).options,
      log: opts.log,
      maxStreamsPerBusiness: settings.liveStreamsPerBusiness ?? 20,
    }),
  };
  const app = express() as Express & { deps: ApiDeps };
  app.deps = deps;
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxy ?? 'loopback');
  app.set('query parser', 'simple');
  app.use(httpServerSpans());
  app.use(helmet());
  app.use((req, res, next) => {
    const end = deps.metrics.requests.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ?? 'unmatched';
      const seconds = end({ method: req.method, route, status: String(res.statusCode) });
      // The route pattern, never the URL: ids are fine, but a query string could carry anything.
      deps.log.info(
        {
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          keyId: req.auth?.keyId,
          businessId: req.auth?.businessId,
        },
        'request',
      );
    });
    next();
  });

  app.use(createHealthRouter({ db: deps.db, temporal: deps.temporal }));
  app.use(createWidgetRouter({ demo: settings.widgetDemo, demoKey: opts.widgetDemoKey }));
  app.get('/metrics', credentialHeaders, metricsEndpoint(deps.metrics, settings.metricsToken));

  app.use('/v1/webhooks/twilio', express.urlencoded({ extended: false, limit: '64kb' }));
  app.use('/v1/webhooks/stripe', express.raw({ type: () => true, limit: '512kb' }));
  app.use('/v1/email/unsubscribe', express.urlencoded({ extended: false, limit: '1kb' }));
  app.use('/v1', credentialHeaders, NO_STORE);
  app.use(['/v1/leads', '/v1/widget/config'], widgetPreflight(deps.db));
  // The Temporal UI's codec calls: a history's payloads in one body (parsed before the 64 kB limit below).
  app.use(
    '/v1/codec',
    codecCors(settings.temporalUiOrigins ?? ['http://localhost:8233', 'http://127.0.0.1:8233']),
    JSON_ONLY,
    express.json({ limit: '4mb', strict: true, verify: refuseInvalidUtf8 }),
    refuseLoneSurrogates,
  );
  app.use(
    '/v1',
    JSON_ONLY,
    express.json({ limit: '64kb', strict: true, verify: refuseInvalidUtf8 }),
    refuseLoneSurrogates,
  );
  // People signed in to the app (api/auth/session.ts); API keys need none of it.
  app.use('/v1', sessionMiddleware({ db: deps.db, now: deps.now }));

  const guards: Guards = {
    apiKey: [keyOrSession(authenticate({ db: deps.db, cache: deps.keyCache, now: deps.now, throttle: opts.throttle }))],
    session: [sessionOnly],
    adminToken: [adminTokenGuard({ token: settings.adminToken, db: deps.db, now: deps.now, throttle: opts.throttle })],
    twilioSignature: [twilioSignature(deps)],
    stripeSignature: [stripeSignature(deps)],
    none: [],
  };
  const registry = new OpenAPIRegistry();
  const router = express.Router();
  const routes = [
    ...authRoutes(deps, { addressThrottle: opts.signInThrottle, email: opts.email, emailFrom: opts.emailFrom }),
    ...userRoutes(deps, { email: opts.email, emailFrom: opts.emailFrom }),
    ...businessRoutes(deps),
    ...leadRoutes(deps),
    ...leadConsentRoutes(deps),
    ...eventRoutes(deps),
    ...appointmentRoutes(deps),
    ...appointmentListRoutes(deps),
    ...reviewRequestRoutes(deps),
    ...legalHoldRoutes(deps),
    ...businessLegalHoldRoutes(deps),
    ...accountRoutes(deps),
    ...privacyRoutes(deps),
    ...alertRoutes(deps),
    ...complianceRoutes(deps),
    ...complianceConsoleRoutes(deps),
    ...analyticsRoutes(deps),
    ...widgetConfigRoutes(deps),
    ...webhookEndpointRoutes(deps),
    ...importRoutes(deps),
    ...googleIntegrationRoutes(deps),
    ...technicianRoutes(deps),
    ...serviceRoutes(deps),
    ...emailUnsubscribeRoutes(deps),
    ...devRoutes(deps),
    ...codecRoutes(deps),
    ...twilioWebhookRoutes(deps),
    ...twilioVoiceRoutes(deps),
    ...stripeRoutes(deps),
  ];
  mountRoutes(router, registry, routes, guards);
  registerWebhookCatalogue(registry);
  app.use(router);

  const document = openApiDocument(registry, settings.publicBaseUrl);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use(referencePage({ document: document as unknown as Record<string, unknown> }));
  app.use(appStatic());
  for (const page of codecLoginRoutes()) {
    app.get(page.path, (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.type(page.type).send(page.body);
    });
  }

  app.use(notFoundRoute);
  app.use(errorMiddleware(deps.log));
  return app;
}
