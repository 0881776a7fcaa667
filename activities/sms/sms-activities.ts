import type { Db } from '../../db/prisma';
import type { SmsProvider } from '../../providers/sms/sms-provider';

export interface SendSmsInput {
  /** Workflow id + step: the same step never produces two messages. */
  idempotencyKey: string;
  businessId: string;
  leadId: string;
  to: string;
  body: string;
}

export function createSmsActivities({ db, sms }: { db: Db; sms: SmsProvider }) {
  return {
    /**
     * Outbox first, provider second: the row exists before the carrier is called, so a
     * retry finds it and does not text the lead again.
     */
    async sendSms(input: SendSmsInput): Promise<{ messageId: string; providerId: string }> {
      const existing = await db.message.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
      if (existing?.providerId) return { messageId: existing.id, providerId: existing.providerId };

      const row =
        existing ??
        (await db.message.create({
          data: {
            businessId: input.businessId,
            leadId: input.leadId,
            direction: 'outbound',
            body: input.body,
            status: 'queued',
            provider: sms.name,
            idempotencyKey: input.idempotencyKey,
          },
        }));
      const business = await db.business.findUniqueOrThrow({ where: { id: input.businessId } });
      const sent = await sms.send({ from: business.smsNumber ?? null, to: input.to, body: input.body, clientRef: row.id });
      await db.message.update({
        where: { id: row.id },
        data: { providerId: sent.providerId, status: sent.status, sentAt: new Date() },
      });
      await db.lead.updateMany({
        where: { id: input.leadId, businessId: input.businessId },
        data: { lastActivityAt: new Date(), status: 'contacted' },
      });
      return { messageId: row.id, providerId: sent.providerId };
    },
  };
}
