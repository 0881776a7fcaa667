export type FollowUpChannel = 'sms' | 'email' | 'both';

const CHANNELS: ReadonlySet<string> = new Set(['sms', 'email', 'both']);

/** The channel of follow-up step `index` (0-based): what the business set, else sms. */
export function followUpChannelAt(stored: readonly string[] | null | undefined, index: number): FollowUpChannel {
  const c = stored?.[index];
  return c !== undefined && CHANNELS.has(c) ? (c as FollowUpChannel) : 'sms';
}

/** One channel per cadence step, as the API shows them. */
export function followUpChannelsOf(stored: readonly string[] | null | undefined, steps: number): FollowUpChannel[] {
  return Array.from({ length: steps }, (_, i) => followUpChannelAt(stored, i));
}
