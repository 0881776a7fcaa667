import type { Env } from '../config/env';
import type { Db } from '../db/prisma';
import { keyringFromConfig, type Keyring } from '../domain/crypto/keyring';
import { privacyKeysOf } from '../domain/crypto/privacy-keys';
import type { Logger } from '../logging/logger';
import type { CalendarResolver } from '../activities/booking/booking-activities';
import { createAnthropicWriter } from '../providers/ai/anthropic';
import { createTemplateWriter } from '../providers/ai/template-writer';
import type { AiWriter } from '../providers/ai/ai-writer';
import type { EmailProvider } from '../providers/email/email-provider';
import { createLocalEmailOutbox } from '../providers/email/local-outbox';
import { createResendEmailProvider } from '../providers/email/resend';
import { createLocalOutboxProvider } from '../providers/sms/local-outbox';
import type { SmsProvider } from '../providers/sms/sms-provider';
import { createTwilioSmsProvider } from '../providers/sms/twilio';
import { createStripeClient } from '../services/invoices/stripe-client';
import { googleCalendarResolver } from '../services/integrations/google/calendar-resolver';
import { googleOAuthSettingsFrom } from '../services/integrations/google/google-settings';

/** How long a lead may wait on the AI before the template goes out instead. */
export const AI_TIMEOUT_MS = 8_000;

/**
 * A real adapter wherever its credentials are configured; the local stand-in elsewhere.
 * `keyring` is the process's own (keyringFromConfig) when it already has one.
 */
export function createProviders(
  config: Env,
  { db, log, keyring = keyringFromConfig(config) }: { db: Db; log: Logger; keyring?: Keyring | null },
) {
  const sms: SmsProvider =
    config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN
      ? createTwilioSmsProvider({
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: config.TWILIO_AUTH_TOKEN,
          apiBaseUrl: config.TWILIO_API_BASE_URL,
          statusCallbackBaseUrl: config.PUBLIC_BASE_URL,
          messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID,
        })
      : createLocalOutboxProvider();
  const email: EmailProvider = config.RESEND_API_KEY
    ? createResendEmailProvider({
        apiKey: config.RESEND_API_KEY,
        defaultFrom: config.EMAIL_FROM,
        baseUrl: config.RESEND_BASE_URL,
      })
    : createLocalEmailOutbox();
  const ai: AiWriter | null = config.ANTHROPIC_API_KEY
    ? createAnthropicWriter({
        apiKey: config.ANTHROPIC_API_KEY,
        baseURL: config.ANTHROPIC_BASE_URL,
        model: config.ANTHROPIC_MODEL,
        timeoutMs: AI_TIMEOUT_MS,
      })
    : null;
  const box = keyring?.box ?? null;
  const calendarFor: CalendarResolver = googleCalendarResolver({
    db,
    keyring: keyring ?? null,
    google: googleOAuthSettingsFrom(config),
  });

  log.info(
    {
      sms: sms.name,
      email: email.name,
      ai: ai?.name ?? 'templates',
      calendar: box && config.GOOGLE_CLIENT_ID ? 'google when connected' : 'built-in',
    },
    'providers',
  );
  const privacyKeys = keyring ? privacyKeysOf(keyring) : null;
  return {
    sms,
    email,
    emailFrom: config.EMAIL_FROM,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    ai,
    templates: createTemplateWriter(),
    calendarFor,
    privacyKeys,
    webhookAllowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    // Job invoices on the businesses' connected Stripe accounts; without a key jobs are not invoiced.
    stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiBaseUrl: config.STRIPE_API_BASE_URL }),
  };
}
