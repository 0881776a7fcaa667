/** What leadflow needs from an SMS carrier, and nothing more. */
export interface SmsProvider {
  readonly name: string;
  /**
   * Sends one message. `clientRef` is our outbox key; providers that can look messages
   * up by it let the send activity reconcile an unknown outcome instead of resending.
   */
  send(input: { from: string | null; to: string; body: string; clientRef: string }): Promise<{ providerId: string; status: SmsStatus }>;
}

export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'undelivered';
