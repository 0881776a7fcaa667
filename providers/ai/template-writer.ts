import type { AiWriter, ReplyRequest } from './ai-writer';
import { classifyByRules } from './intent-rules';
import { segmentsOf, MAX_SEGMENTS } from './reply-check';

export const TEMPLATE_PROMPT_VERSION = 'template-v1';

/** head, then as many optional sentences as fit in two SMS segments, then tail. */
function fit(head: string[], optional: string[], tail: string[] = []): string {
  const extra = optional.filter(Boolean);
  const join = () => [...head, ...extra, ...tail].filter(Boolean).join(' ');
  while (segmentsOf(join()) > MAX_SEGMENTS && extra.length > 0) extra.pop();
  return join();
}

function serviceLine(request: ReplyRequest): string | null {
  const names = request.facts.services.slice(0, 3).map((s) => s.name.toLowerCase());
  if (names.length === 0) return null;
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `We handle ${list}.`;
}

/**
 * The writer when AI is off, fails or is slow: plain, useful texts in the business's own
 * words, numbered slots, and nothing it does not know.
 */
export function createTemplateWriter(): AiWriter {
  return {
    name: 'template',
    async writeReply(request) {
      const { facts } = request;
      const hi = request.leadFirstName ? `Hi ${request.leadFirstName}, ` : 'Hi, ';
      const me = `this is ${facts.botName} with ${facts.businessName}.`;
      const optOut = 'Reply STOP to opt out.';
      let text: string;
      switch (request.purpose) {
        case 'first_reply':
          text = fit([`${hi}${me} Thanks for reaching out! Want us to book a visit? Reply BOOK and I'll send open times.`], [serviceLine(request) ?? ''], [optOut]);
          break;
        case 'follow_up':
          text = fit([`${hi}${facts.botName} from ${facts.businessName} again. Still need a hand? Reply BOOK for open times, or ask me anything.`], [], request.mustIncludeOptOut ? [optOut] : []);
          break;
        case 'offer_slots': {
          const slots = (request.offeredSlots ?? []).slice(0, 3).map((s, i) => `${i + 1}) ${s}`);
          text = fit([`Here are the next open times: ${slots.join(', ')}. Reply 1, 2 or 3 to book.`], [], request.mustIncludeOptOut ? [optOut] : []);
          break;
        }
        case 'confirm_booking':
          text = `You're booked with ${facts.businessName} for ${request.offeredSlots?.[0] ?? 'the time you picked'}. Reply RESCHEDULE or CANCEL if plans change.`;
          break;
        default: {
          const hours = facts.hours ? `Our hours: ${facts.hours}.` : '';
          text = fit(
            [`Thanks for your message! Someone from ${facts.businessName} will get back to you shortly. Reply BOOK to see open times.`],
            [hours],
            request.mustIncludeOptOut ? [optOut] : [],
          );
        }
      }
      if (request.mustIncludeOptOut && !text.includes('STOP')) text = `${text} ${optOut}`;
      return { text: text.replace(/\s+/g, ' ').trim(), model: 'template', promptVersion: TEMPLATE_PROMPT_VERSION };
    },
    async classify(request) {
      return classifyByRules(request.text, { hasOpenOffer: request.hasOpenOffer, hasBooking: request.hasBooking });
    },
  };
}
