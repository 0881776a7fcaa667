import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import type { Logger } from '../../logging/logger';
import type { AiWriter, IntentResult } from '../../providers/ai/ai-writer';
import { classifyByRules, isOptOutKeyword } from '../../providers/ai/intent-rules';

export function createClassifyActivities({ db, ai, log }: { db: Db; ai: AiWriter | null; log: Logger }) {
  return {
    /**
     * Carrier keywords are decided by rules, never by a model: STOP must always work.
     * Everything else goes to the AI when the business uses it and the lead has not
     * objected, with the rules as the fallback.
     */
    async classifyInbound(input: { businessId: string; leadId: string; text: string; hasOpenOffer: boolean; hasBooking: boolean }): Promise<IntentResult> {
      const context = { hasOpenOffer: input.hasOpenOffer, hasBooking: input.hasBooking };
      const byRules = classifyByRules(input.text, context);
      if (isOptOutKeyword(input.text) || ['opt_out', 'opt_in', 'help', 'pick_slot'].includes(byRules.intent) || !ai) return byRules;
      const allowed = await withTenant(db, input.businessId, async (tx) => {
        const [business, lead] = await Promise.all([
          tx.business.findUniqueOrThrow({ where: { id: input.businessId }, select: { aiEnabled: true } }),
          tx.lead.findUniqueOrThrow({ where: { id: input.leadId }, select: { objected: true, restricted: true } }),
        ]);
        return business.aiEnabled && !lead.objected && !lead.restricted;
      });
      if (!allowed) return byRules;
      try {
        return await ai.classify({ text: input.text, ...context });
      } catch (err) {
        log.warn({ businessId: input.businessId, leadId: input.leadId, errType: (err as Error)?.name }, 'AI classification unavailable; using rules');
        return byRules;
      }
    },
  };
}
