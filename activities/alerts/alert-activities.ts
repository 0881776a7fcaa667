import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/prisma';
import { findAlertByEvent, openAlertDelivery, storeAlertRow, updateAlertDelivery } from '../../db/alerts';
import { markEmailFailed, markEmailSent, openEmail } from '../../db/emails';
import { withTenant } from '../../db/tenant';
import type { Logger } from '../../logging/logger';
import { EmailPermanentError, type EmailProvider } from '../../providers/email/email-provider';
import { createLocalEmailOutbox } from '../../providers/email/local-outbox';
import { SmsPermanentError, type SmsProvider } from '../../providers/sms/sms-provider';
import { enabledChannels, type AlertChannel } from '../../services/alerts/alert-channels';
import {
  ALERT_REASONS,
  ALERT_WEBHOOK_EVENTS,
  WEBHOOK_ONLY_ALERT_KINDS,
  type AlertKind,
} from '../../services/alerts/alert-kinds';
import { enqueueWebhookEvent, type WebhookEventInput } from '../../services/webhooks/enqueue-webhook-event';

/** Hands one alert to the outbound-webhook pipeline; injectable for tests. */
export type EnqueueWebhookEvent = (event: WebhookEventInput) => Promise<{ deliveryIds: string[] }>;

export interface AlertDeps {
  db: Db;
  sms: SmsProvider;
  /** Unset (tests, tools): the local outbox. */
  email?: EmailProvider;
  emailFrom?: string;
  /** Unset: services/webhooks with the worker's own client (the delivery workflows start on this queue's housekeeping queue). */
  enqueueWebhookEvent?: EnqueueWebhookEvent;
  log: Logger;
}

export interface StoreAlertInput {
  businessId: string;
  /** The raising workflow's id + step: one alert per event however often the step runs. */
  eventId: string;
  kind: AlertKind;
  leadId?: string | null;
  privacyRequestId?: string | null;
  /** Ids and states only. */
  detail?: Record<string, unknown>;
}

export interface AlertChannelInput {
  businessId: string;
  eventId: string;
}

export type AlertDeliveryOutcome = { status: 'sent' | 'skipped' | 'failed'; code?: string };

/** An attempt younger than this may still be talking to the provider (the activity's start-to-close timeout). */
const IN_FLIGHT_MS = 30_000;

/** The text of an alert SMS: the business's name, the reason and ids; never the lead's words. */
function alertText(
  businessName: string,
  alert: { reason: string; leadId: string | null; privacyRequestId: string | null; id: string },
) {
  const ids = [
    alert.leadId ? `lead ${alert.leadId}` : null,
    alert.privacyRequestId ? `request ${alert.privacyRequestId}` : null,
    `alert ${alert.id}`,
  ].filter(Boolean);
  return `${businessName}: ${alert.reason} (${ids.join(', ')}).`;
}

/**
 * One activity per channel. Each writes its delivery row (alert + channel, unique) before
 * the provider is called, so a retried or crashed attempt finds it and never sends twice.
 */
export function createAlertActivities(deps: AlertDeps) {
  const { db, sms, log } = deps;
  const email = deps.email ?? createLocalEmailOutbox();
  const enqueue: EnqueueWebhookEvent =
    deps.enqueueWebhookEvent ??
    ((event) => {
      const { client, info } = Context.current();
      return enqueueWebhookEvent({ db, temporal: client, taskQueue: info.taskQueue }, event);
    });

  async function alertAndBusiness(input: AlertChannelInput) {
    return withTenant(db, input.businessId, async (tx) => {
      const alert = await findAlertByEvent(tx, input.businessId, input.eventId);
      if (!alert) throw ApplicationFailure.nonRetryable(`no alert for event ${input.eventId}`, 'alert_missing');
      const business = await tx.business.findUniqueOrThrow({
        where: { id: input.businessId },
        select: { name: true, smsNumber: true, contactPhone: true, contactEmail: true },
      });
      return { alert, business };
    });
  }

  return {
    /** The app inbox (always on); answers which other channels this business has turned on. */
    async storeAlert(input: StoreAlertInput): Promise<{ alertId: string; channels: AlertChannel[] }> {
      return withTenant(db, input.businessId, async (tx) => {
        const alert = await storeAlertRow(tx, { ...input, reason: ALERT_REASONS[input.kind] });
        const business = await tx.business.findUniqueOrThrow({
          where: { id: input.businessId },
          select: { alertChannels: true, contactPhone: true, contactEmail: true },
        });
        log.info({ businessId: input.businessId, alertId: alert.id, kind: input.kind }, 'alert raised');
        const channels = enabledChannels(business.alertChannels, business);
        const webhookOnly = WEBHOOK_ONLY_ALERT_KINDS.includes(input.kind);
        return { alertId: alert.id, channels: webhookOnly ? channels.filter((c) => c === 'webhook') : channels };
      });
    },

    /** SMS to the owner's mobile: not subject to the lead's quiet hours, never the lead's text. */
    async sendAlertSms(input: AlertChannelInput): Promise<AlertDeliveryOutcome> {
      const { alert, business } = await alertAndBusiness(input);
      const { row, created } = await withTenant(db, input.businessId, (tx) =>
        openAlertDelivery(tx, {
          businessId: input.businessId,
          alertId: alert.id,
          channel: 'sms',
          recipient: business.contactPhone,
          body: alertText(business.name, alert),
        }),
      );
      if (row.status === 'sent' || row.status === 'failed' || row.status === 'skipped')
        return { status: row.status, code: row.errorCode ?? undefined };
      const skip = async (code: string): Promise<AlertDeliveryOutcome> => {
        await withTenant(db, input.businessId, (tx) =>
          updateAlertDelivery(tx, row.id, { status: 'skipped', errorCode: code }),
        );
        return { status: 'skipped', code };
      };
      if (!row.recipient) return skip('no_recipient');
      if (!business.smsNumber && sms.needsSender) return skip('no_sender');
      if (!created && row.status === 'sending' && Date.now() - row.createdAt.getTime() < IN_FLIGHT_MS)
        throw new Error('this alert is being sent by another attempt; retrying later');
      try {
        // A previous attempt may have reached the carrier and crashed before recording it.
        const earlier = created
          ? null
          : await sms.findSent({
              from: business.smsNumber,
              to: row.recipient,
              body: row.body,
              since: new Date(row.createdAt.getTime() - 5_000),
            });
        const sent =
          earlier ??
          (await sms.send({ from: business.smsNumber, to: row.recipient, body: row.body, clientRef: row.id }));
        await withTenant(db, input.businessId, (tx) =>
          updateAlertDelivery(tx, row.id, { status: 'sent', providerId: sent.providerId, sentAt: new Date() }),
        );
        return { status: 'sent' };
      } catch (err) {
        if (err instanceof SmsPermanentError) {
          await withTenant(db, input.businessId, (tx) =>
            updateAlertDelivery(tx, row.id, { status: 'failed', errorCode: err.code }),
          );
          log.warn({ businessId: input.businessId, alertId: alert.id, code: err.code }, 'alert SMS refused');
          return { status: 'failed', code: err.code };
        }
        // The carrier may have it: the retry asks before sending again.
        await withTenant(db, input.businessId, (tx) => updateAlertDelivery(tx, row.id, { status: 'unknown' })).catch(
          () => {},
        );
        throw err;
      }
    },

    /** Email to the business's contact address, through the email log (its own idempotency key). */
    async sendAlertEmail(input: AlertChannelInput): Promise<AlertDeliveryOutcome> {
      const { alert, business } = await alertAndBusiness(input);
      const idempotencyKey = `alert:${alert.id}:email`;
      const prepared = await withTenant(db, input.businessId, async (tx) => {
        const { row } = await openAlertDelivery(tx, {
          businessId: input.businessId,
          alertId: alert.id,
          channel: 'email',
          recipient: business.contactEmail,
          body: alertText(business.name, alert),
        });
        if (row.status === 'sent' || row.status === 'failed' || row.status === 'skipped') return { row, mail: null };
        if (!row.recipient) return { row, mail: null };
        const mail = await openEmail(tx, {
          businessId: input.businessId,
          leadId: null,
          from: deps.emailFrom ?? 'leadflow <alerts@localhost>',
          to: row.recipient,
          subject: `${business.name}: ${alert.reason}`,
          body: `${row.body}\n\nOpen leadflow to act on it.`,
          kind: 'alert',
          provider: email.name,
          idempotencyKey,
        });
        return { row, mail };
      });
      const { row, mail } = prepared;
      if (row.status === 'sent' || row.status === 'failed' || row.status === 'skipped')
        return { status: row.status, code: row.errorCode ?? undefined };
      if (!mail) {
        await withTenant(db, input.businessId, (tx) =>
          updateAlertDelivery(tx, row.id, { status: 'skipped', errorCode: 'no_recipient' }),
        );
        return { status: 'skipped', code: 'no_recipient' };
      }
      try {
        // The provider's Idempotency-Key makes a resend after a lost answer the same email.
        const sent = mail.providerId
          ? { providerId: mail.providerId }
          : await email.send({
              from: mail.fromAddress,
              to: mail.toAddress,
              subject: mail.subject,
              text: mail.body,
              idempotencyKey,
            });
        await withTenant(db, input.businessId, async (tx) => {
          if (!mail.providerId) await markEmailSent(tx, mail.id, sent.providerId);
          await updateAlertDelivery(tx, row.id, { status: 'sent', providerId: sent.providerId, sentAt: new Date() });
        });
        return { status: 'sent' };
      } catch (err) {
        if (!(err instanceof EmailPermanentError)) throw err;
        await withTenant(db, input.businessId, async (tx) => {
          await markEmailFailed(tx, mail.id, err.code);
          await updateAlertDelivery(tx, row.id, { status: 'failed', errorCode: err.code });
        });
        log.warn({ businessId: input.businessId, alertId: alert.id, code: err.code }, 'alert email refused');
        return { status: 'failed', code: err.code };
      }
    },

    /** The business's webhook endpoints subscribed to the event, through the webhook pipeline. */
    async enqueueAlertWebhook(input: AlertChannelInput): Promise<AlertDeliveryOutcome> {
      const { alert } = await alertAndBusiness(input);
      const { row } = await withTenant(db, input.businessId, (tx) =>
        openAlertDelivery(tx, {
          businessId: input.businessId,
          alertId: alert.id,
          channel: 'webhook',
          recipient: null,
          body: '',
        }),
      );
      if (row.status === 'sent' || row.status === 'failed' || row.status === 'skipped')
        return { status: row.status, code: row.errorCode ?? undefined };
      const kind = alert.kind as AlertKind;
      const type = ALERT_WEBHOOK_EVENTS[kind];
      const finish = async (status: 'sent' | 'skipped', code: string | null): Promise<AlertDeliveryOutcome> => {
        await withTenant(db, input.businessId, (tx) =>
          updateAlertDelivery(tx, row.id, { status, errorCode: code, sentAt: status === 'sent' ? new Date() : null }),
        );
        return code ? { status, code } : { status };
      };
      // Not every alert has a webhook event in the catalogue (services/webhooks/webhook-events).
      if (!type) return finish('skipped', 'no_webhook_event');
      // The pipeline keys its deliveries by this event id: a retry here enqueues nothing new.
      const queued = await enqueue({
        businessId: input.businessId,
        type,
        eventId: `alert_${alert.id}`,
        data: {
          alertId: alert.id,
          kind,
          leadId: alert.leadId,
          privacyRequestId: alert.privacyRequestId,
          ...(alert.detail as Record<string, unknown>),
        },
      });
      return queued.deliveryIds.length > 0 ? finish('sent', null) : finish('skipped', 'no_subscribed_endpoint');
    },
  };
}
