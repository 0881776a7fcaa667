import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import type { Logger } from '../../logging/logger';
import type { AiWriter, IntentResult } from '../../providers/ai/ai-writer';
import { classifyByRules, isOptOutKeyword } from '../../domain/intent-rules';
import type { Language } from '../../domain/language';
import type { Slot } from '../../workflows/lead/definitions';
import { chooseService, type ServiceChoice } from '../booking/service-choice';

/** Slots are found in the same activity when the lead wants to book: one billed action, not two. */
export type SlotFinder = (input: {
  businessId: string;
  leadId: string;
  timeZone: string;
  count: number;
  at: string;
  serviceId?: string;
  language?: Language;
}) => Promise<Slot[]>;

const WANTS_SLOTS = new Set(['book', 'reschedule']);
const RULES_ONLY = new Set(['opt_out', 'opt_in', 'help', 'pick_slot']);
/** What an answer to "which service?" may be classified as and still be taken as the answer. */
const SERVICE_ANSWERS = new Set(['book', 'question', 'other']);

export function createClassifyActivities({
  db,
  ai,
  log,
  findSlots,
}: {
  db: Db;
  ai: AiWriter | null;
  log: Logger;
  findSlots: SlotFinder;
}) {
  /**
   * Carrier keywords are decided by rules, never by a model: STOP must always work.
   * Everything else goes to the AI when the business uses it and the lead has not
   * objected, with the rules as the fallback.
   */
  async function classify(input: {
    businessId: string;
    leadId: string;
    text: string;
    hasOpenOffer: boolean;
    hasBooking: boolean;
  }): Promise<IntentResult> {
    const context = { hasOpenOffer: input.hasOpenOffer, hasBooking: input.hasBooking };
    const byRules = classifyByRules(input.text, context);
    if (!ai || isOptOutKeyword(input.text) || RULES_ONLY.has(byRules.intent)) return byRules;
    const allowed = await withTenant(db, input.businessId, async (tx) => {
      const business = await tx.business.findUniqueOrThrow({
        where: { id: input.businessId },
        select: { aiEnabled: true },
      });
      const lead = await tx.lead.findUniqueOrThrow({
        where: { id: input.leadId },
        select: { objected: true, restricted: true },
      });
      return business.aiEnabled && !lead.objected && !lead.restricted;
    });
    if (!allowed) return byRules;
    try {
      return await ai.classify({ text: input.text, ...context });
    } catch (err) {
      log.warn(
        { businessId: input.businessId, leadId: input.leadId, errType: (err as Error)?.name },
        'AI classification unavailable; using rules',
      );
      return byRules;
    }
  }

  return {
    async classifyInbound(input: {
      businessId: string;
      leadId: string;
      text: string;
      hasOpenOffer: boolean;
      hasBooking: boolean;
      timeZone: string;
      at: string;
      /** The lead's language, for the labels of the slots found. */
      language?: Language;
      /**
       * Set by workflows that choose a service (patched 'services'): true while the lead was
       * asked which one. A booking's service then comes from the lead's words, or `service`
       * says to ask.
       */
      choosingService?: boolean;
    }): Promise<IntentResult & { slots?: Slot[]; service?: ServiceChoice }> {
      const result = await classify(input);
      const slotsFor = async (serviceId?: string) =>
        findSlots({
          businessId: input.businessId,
          leadId: input.leadId,
          timeZone: input.timeZone,
          count: 3,
          at: input.at,
          language: input.language,
          ...(serviceId ? { serviceId } : {}),
        });
      const answering = input.choosingService === true && SERVICE_ANSWERS.has(result.intent);
      if (input.choosingService !== undefined && (result.intent === 'book' || answering)) {
        const service = await chooseService(db, { ...input, asked: input.choosingService });
        // A question asked instead of an answer ("how much is it?") is answered as a question.
        if (result.intent !== 'book' && !(service.kind === 'chosen' && service.named)) return result;
        if (service.kind === 'unclear') return { intent: 'book', service };
        return { intent: 'book', service, slots: await slotsFor(service.serviceId ?? undefined) };
      }
      if (!WANTS_SLOTS.has(result.intent)) return result;
      return { ...result, slots: await slotsFor() };
    },
  };
}
