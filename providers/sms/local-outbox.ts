import type { SmsProvider } from './sms-provider';

/**
 * The default provider when no Twilio account is configured: the message row written by
 * the send activity *is* the outbox, so "sending" only hands back a provider id. People
 * read it through `GET /v1/dev/outbox` and answer through `POST /v1/dev/inbound-sms`.
 */
export function createLocalOutboxProvider(): SmsProvider {
  return {
    name: 'local',
    async send({ clientRef }) {
      return { providerId: `LOCAL-${clientRef}`, status: 'sent' };
    },
    // The outbox row is the only copy, so a local send always has a known outcome.
    async findSent() {
      return null;
    },
    async deleteMessage() {},
  };
}
