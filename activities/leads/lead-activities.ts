import type { Db } from '../../db/prisma';
import type { CapturedLead } from '../../workflows/lead/definitions';

export function createLeadActivities({ db }: { db: Db }) {
  return {
    /**
     * The workflow is the intake: the API hands the capture to Temporal and this
     * activity persists it, retrying until Postgres answers. Upsert, so a retry after a
     * lost reply is harmless.
     */
    async recordLead(input: { leadId: string; businessId: string; lead: CapturedLead; capturedAt: string }): Promise<void> {
      const { lead } = input;
      const capturedAt = new Date(input.capturedAt);
      await db.lead.upsert({
        where: { id: input.leadId },
        create: {
          id: input.leadId,
          businessId: input.businessId,
          name: lead.name,
          phone: lead.phone,
          email: lead.email ?? null,
          message: lead.message ?? null,
          source: lead.source,
          status: 'new',
          createdAt: capturedAt,
          lastActivityAt: capturedAt,
        },
        update: {},
      });
    },

    async deleteMessagingLogs(input: { businessId: string; leadId: string; reason: string }): Promise<{ messages: number }> {
      const { count } = await db.message.deleteMany({ where: { businessId: input.businessId, leadId: input.leadId } });
      await db.lead.updateMany({
        where: { id: input.leadId, businessId: input.businessId },
        data: { message: null, status: 'retention_deleted' },
      });
      return { messages: count };
    },
  };
}
