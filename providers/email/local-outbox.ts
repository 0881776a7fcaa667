import type { EmailProvider } from './email-provider';

/**
 * The default when no Resend key is configured: the `emails` row written by the send
 * activity *is* the outbox (read through GET /v1/dev/emails), so "sending" only hands
 * back a provider id, the same one for the same key.
 */
export function createLocalEmailOutbox(): EmailProvider {
  return {
    name: 'local',
    async send({ idempotencyKey }) {
      return { providerId: `LOCAL-${idempotencyKey}` };
    },
  };
}
