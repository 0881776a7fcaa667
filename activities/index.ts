import type { Db } from '../db/prisma';
import type { PrivacyKeys } from '../domain/crypto/privacy-keys';
import type { Logger } from '../logging/logger';
import type { AiWriter } from '../providers/ai/ai-writer';
import type { EmailProvider } from '../providers/email/email-provider';
import type { SmsProvider } from '../providers/sms/sms-provider';
import { createAlertActivities, type EnqueueWebhookEvent } from './alerts/alert-activities';
import { createAccountActivities } from './account/account-activities';
import { createBookingActivities, type CalendarResolver } from './booking/booking-activities';
import { createClassifyActivities } from './conversation/classify-activities';
import { createLeadActivities } from './leads/lead-activities';
import { createRecordAndFirstReplyActivities } from './leads/record-and-first-reply';
import { createPrivacyActivities } from './privacy/privacy-activities';
import { createRetentionSweepActivities } from './retention/sweep-activities';
import { createSendActivities, createSender } from './sms/send-lead-sms';
import { createLeadEmailActivities } from './email/send-lead-email';
import { createWebhookActivities } from './webhooks/webhook-activities';
import { createInvoiceActivities } from './invoices/invoice-activities';
import type Stripe from 'stripe';

export interface ActivityDeps {
  db: Db;
  sms: SmsProvider;
  /** The real model, when configured; null means templates and rules only. */
  ai: AiWriter | null;
  templates: AiWriter;
  calendarFor: CalendarResolver;
  /** Derived from ENCRYPTION_KEY: seals request contacts, pseudonymises erased numbers. */
  privacyKeys?: PrivacyKeys | null;
  log: Logger;
  /** WEBHOOK_ALLOW_PRIVATE=1: webhook deliveries may go to http and private addresses (development, tests). */
  webhookAllowPrivate?: boolean;
  /** Alerts and verification codes by email; unset: the local outbox. */
  email?: EmailProvider;
  emailFrom?: string;
  /** PUBLIC_BASE_URL: the one-click unsubscribe link in follow-up emails points there. */
  publicBaseUrl?: string;
  /** Outbound webhooks for alerts, once that pipeline is wired in. */
  enqueueWebhookEvent?: EnqueueWebhookEvent;
  /** Job invoices (STRIPE_SECRET_KEY); unset: finished jobs are not invoiced. */
  stripe?: Stripe | null;
}

export function createActivities(deps: ActivityDeps) {
  const booking = createBookingActivities(deps);
  const sender = createSender(deps);
  return {
    ...createLeadActivities(deps),
    ...createAccountActivities(deps),
    ...createSendActivities(deps, sender),
    ...createRecordAndFirstReplyActivities({ db: deps.db, sender }),
    ...createLeadEmailActivities(deps),
    ...createPrivacyActivities(deps),
    ...createClassifyActivities({ ...deps, findSlots: booking.findSlots }),
    ...booking,
    ...createRetentionSweepActivities(deps),
    ...createWebhookActivities({
      db: deps.db,
      log: deps.log,
      keyring: deps.privacyKeys?.keyring ?? null,
      allowPrivate: deps.webhookAllowPrivate ?? false,
    }),
    ...createAlertActivities(deps),
    ...createInvoiceActivities(deps),
  };
}
