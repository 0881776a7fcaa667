/** The body every delivery carries (the Standard Webhooks convention: type, timestamp, data). */
export function webhookPayload(type: string, at: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}
