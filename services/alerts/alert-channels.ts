import { z } from 'zod';

/** The channels a business turns on for alerts; the app inbox is always on. */
export const ZAlertChannelsSchema = z.strictObject({
  sms: z.boolean().optional(),
  email: z.boolean().optional(),
  webhooks: z.boolean().optional(),
});
export type AlertChannelSettings = z.infer<typeof ZAlertChannelsSchema>;

export type AlertChannel = 'sms' | 'email' | 'webhook';

/**
 * A business that configured nothing gets SMS to its contact phone and email to its
 * contact email (where it has them); webhooks go only to endpoints subscribed to the
 * event, so they are on unless switched off.
 */
export const DEFAULT_ALERT_CHANNELS: Required<AlertChannelSettings> = { sms: true, email: true, webhooks: true };

export function alertChannelsOf(stored: unknown): Required<AlertChannelSettings> {
  const parsed = ZAlertChannelsSchema.safeParse(stored ?? {});
  return { ...DEFAULT_ALERT_CHANNELS, ...(parsed.success ? parsed.data : {}) };
}

/** The channels an alert goes out on, beyond the stored inbox. */
export function enabledChannels(
  stored: unknown,
  contact: { contactPhone: string | null; contactEmail: string | null },
): AlertChannel[] {
  const on = alertChannelsOf(stored);
  const channels: AlertChannel[] = [];
  if (on.sms && contact.contactPhone) channels.push('sms');
  if (on.email && contact.contactEmail) channels.push('email');
  if (on.webhooks) channels.push('webhook');
  return channels;
}
