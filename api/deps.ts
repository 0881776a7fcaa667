import type { Client } from '@temporalio/client';
import type { LeadCodec } from '../codec/lead-data-converter';
import type { Db } from '../db/prisma';
import type { PrivacyKeys } from '../domain/crypto/privacy-keys';
import type { SecretBox } from '../domain/crypto/secret-box';
import { withTenant } from '../db/tenant';
import type { Logger } from '../logging/logger';
import type { KeyCache } from './auth/key-cache';
import type { Metrics } from './metrics';
import type { LeadWorkflowClient } from '../services/leads/lead-workflow-client';
import type { PrivacyRequestClient } from '../services/privacy/privacy-request-client';
import type { CaptureLimits } from './http/capture-limits';
import type { TrustProxy } from './http/trust-proxy';
import type { LiveEventHub } from './live/live-event-hub';
import type { GoogleOAuthSettings } from '../services/integrations/google/google-settings';
import { asTemporalUnavailable } from './temporal-errors';

export interface ApiSettings {
  /** For POST /v1/businesses; unset means only the CLI can create tenants. */
  adminToken?: string;
  /** GET /metrics answers only with this bearer token; unset: the API serves no metrics. */
  metricsToken?: string;
  /** The public URL Twilio signs requests against (behind a proxy, not the local address). */
  publicBaseUrl?: string;
  twilioAuthToken?: string;
  stripeSecretKey?: string;
  stripeWebhookSecret?: string;
  stripeApiBaseUrl?: string;
  /** The dev endpoints exist only with the local SMS provider. */
  localSms: boolean;
  /** GET /v1/dev/emails exists only with the local email provider (no RESEND_API_KEY); unset: local. */
  localEmail?: boolean;
  /** Serve the widget demo page (development). */
  widgetDemo: boolean;
  captureLimits?: CaptureLimits;
  /** Temporal Web UI origins allowed to call POST /v1/codec/decode and /v1/codec/encode. */
  temporalUiOrigins?: string[];
  /** Which proxies in front of the API may name the client (TRUST_PROXY); loopback when unset. */
  trustProxy?: TrustProxy;
  /** WEBHOOK_ALLOW_PRIVATE=1: webhook endpoints may be http and private addresses (development, tests). */
  webhookAllowPrivate?: boolean;
  /** GET /v1/events: streams one business may hold open on one API process (default 20). */
  liveStreamsPerBusiness?: number;
  /** leadflow's Google OAuth client (GOOGLE_CLIENT_ID, …); unset: businesses cannot connect Google Calendar. */
  google?: GoogleOAuthSettings;
}

export interface ApiDeps {
  db: Db;
  temporal: Client;
  log: Logger;
  taskQueue: string;
  settings: ApiSettings;
  metrics: Metrics;
  keyCache: KeyCache;
  now: () => Date;
  /** The payload codec of this process's Temporal client (its key pool); null without ENCRYPTION_KEY. */
  leadCodec: LeadCodec | null;
  /** Derived from ENCRYPTION_KEY; data-subject requests answer 503 without it. */
  privacyKeys: PrivacyKeys | null;
  /** Seals people's TOTP secrets (a key derived from ENCRYPTION_KEY); two-factor sign-in is refused without it. */
  totpBox: SecretBox | null;
  /** The lead workflows, through the one client that knows their ids, options and messages. */
  leads: LeadWorkflowClient;
  /** The data-subject requests' workflows. */
  privacyRequests: PrivacyRequestClient;
  /** GET /v1/events: this process's one LISTEN connection and its streams. */
  liveEvents: LiveEventHub;
  /** A Temporal call with a deadline; unreachable Temporal becomes a 503 with Retry-After. */
  withTemporal<T>(fn: () => Promise<T>): Promise<T>;
  /** The widget's public settings for a business, cached briefly (captures survive a short database outage). */
  widgetConfig(businessId: string): Promise<{ businessName: string; consentText: string; allowedOrigins: string[] }>;
}

export function temporalCaller(temporal: Client, timeoutMs: number) {
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await temporal.withDeadline(Date.now() + timeoutMs, fn);
    } catch (err) {
      throw asTemporalUnavailable(err) ?? err;
    }
  };
}

export function widgetConfigLoader(db: Db, ttlMs = 60_000) {
  const cache = new Map<
    string,
    { value: { businessName: string; consentText: string; allowedOrigins: string[] }; expires: number }
  >();
  return async (businessId: string) => {
    const hit = cache.get(businessId);
    if (hit && hit.expires > Date.now()) return hit.value;
    const business = await withTenant(db, businessId, (tx) =>
      tx.business.findUniqueOrThrow({
        where: { id: businessId },
        select: { name: true, consentText: true, allowedOrigins: true },
      }),
    );
    const value = {
      businessName: business.name,
      consentText: business.consentText,
      allowedOrigins: business.allowedOrigins,
    };
    cache.set(businessId, { value, expires: Date.now() + ttlMs });
    return value;
  };
}
