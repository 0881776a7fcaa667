import type { Db } from '../../db/prisma';
import { openAlertDelivery, storeAlertRow, updateAlertDelivery } from '../../db/alerts';
import { withTenant, type Tx } from '../../db/tenant';
import { enabledChannels } from '../alerts/alert-channels';
import { ALERT_REASONS } from '../alerts/alert-kinds';
import { enqueueWebhookEvent, type EnqueueWebhookDeps } from '../webhooks/enqueue-webhook-event';

const KIND = 'appointment_unassigned' as const;

/**
 * The alert for one appointment nobody could take over: its time and service, and the lead's
 * id to open it from; never the lead's name or number. Stored with the removal (the app
 * inbox and its live event), one per appointment and removal.
 */
export function storeUnassignedAlert(
  tx: Tx,
  input: {
    businessId: string;
    technicianId: string;
    appointment: { id: string; leadId: string; startsAt: Date; serviceId: string | null };
    serviceName: string | null;
  },
) {
  const { appointment } = input;
  return storeAlertRow(tx, {
    businessId: input.businessId,
    eventId: `technician-removed:${input.technicianId}:${appointment.id}`,
    kind: KIND,
    reason: ALERT_REASONS[KIND],
    leadId: appointment.leadId,
    detail: {
      appointmentId: appointment.id,
      startsAt: appointment.startsAt.toISOString(),
      serviceId: appointment.serviceId,
      serviceName: input.serviceName,
    },
  });
}

/**
 * The stored alerts to the business's webhook endpoints subscribed to `appointment.unassigned`
 * (when its webhook channel is on), through the webhook pipeline: its deliveries retry on
 * their own, and the alert's delivery row makes a second call enqueue nothing new.
 */
export async function sendUnassignedAlertWebhooks(
  deps: EnqueueWebhookDeps & { db: Db },
  businessId: string,
  alerts: Array<{ id: string; leadId: string | null; detail: unknown }>,
): Promise<void> {
  if (alerts.length === 0) return;
  const business = await withTenant(deps.db, businessId, (tx) =>
    tx.business.findUniqueOrThrow({
      where: { id: businessId },
      select: { alertChannels: true, contactPhone: true, contactEmail: true },
    }),
  );
  if (!enabledChannels(business.alertChannels, business).includes('webhook')) return;
  for (const alert of alerts) {
    const { row } = await withTenant(deps.db, businessId, (tx) =>
      openAlertDelivery(tx, { businessId, alertId: alert.id, channel: 'webhook', recipient: null, body: '' }),
    );
    if (row.status === 'sent' || row.status === 'failed' || row.status === 'skipped') continue;
    const queued = await enqueueWebhookEvent(deps, {
      businessId,
      type: 'appointment.unassigned',
      eventId: `alert_${alert.id}`,
      data: { alertId: alert.id, kind: KIND, leadId: alert.leadId, ...(alert.detail as Record<string, unknown>) },
    });
    const sent = queued.deliveryIds.length > 0;
    await withTenant(deps.db, businessId, (tx) =>
      updateAlertDelivery(tx, row.id, {
        status: sent ? 'sent' : 'skipped',
        errorCode: sent ? null : 'no_subscribed_endpoint',
        sentAt: sent ? new Date() : null,
      }),
    );
  }
}
