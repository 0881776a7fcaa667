import type { AiWriter, BusinessFacts, ReplyRequest } from './ai-writer';
import { classifyByRules } from '../../domain/intent-rules';
import { MAX_SEGMENTS, segmentsOf, withGsmPunctuation } from '../../domain/reply-check';
import { spanishReply } from './template-writer.es';

export const TEMPLATE_PROMPT_VERSION = 'template-v2';

const OPT_OUT = 'Reply STOP to opt out.';

/** head, then as many optional sentences as fit in two SMS segments, then tail. */
function fit(head: string[], optional: Array<string | null>, tail: string[] = []): string {
  const extra = optional.filter((s): s is string => Boolean(s));
  const join = () => withGsmPunctuation([...head, ...extra, ...tail].filter(Boolean).join(' '));
  while (segmentsOf(join()) > MAX_SEGMENTS && extra.length > 0) extra.pop();
  return join();
}

const listOf = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;

function serviceLine(facts: BusinessFacts): string | null {
  const names = facts.services.slice(0, 3).map((s) => s.name.toLowerCase());
  return names.length > 0 ? `We handle ${listOf(names)}.` : null;
}

const lastLeadText = (request: ReplyRequest) =>
  [...request.conversation].reverse().find((t) => t.from === 'lead')?.text ?? '';
const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * Answers only from the facts: a service's price, the hours, who is texting, or the owner's
 * notes. `related` is useful but not what was asked (the price list for a price question
 * about something else).
 */
function answerFromFacts(request: ReplyRequest): { answers: string[]; related: string[] } {
  const { facts } = request;
  const asked = lastLeadText(request);
  const askedWords = new Set(words(asked));
  const answers: string[] = [];
  const related: string[] = [];

  const mentioned = facts.services.filter((s) => words(s.name).some((w) => w.length >= 4 && askedWords.has(w)));
  const asksPrice = /\b(?:how much|price|prices|pricing|cost|costs|charge|fee|rate|rates|quote)\b/i.test(asked);
  for (const service of mentioned.slice(0, 2)) {
    if (service.price) answers.push(`${service.name} is ${service.price}.`);
    else if (asksPrice) answers.push(`${service.name} is priced per job; the team will give you a quote.`);
  }
  if (asksPrice && mentioned.length === 0) {
    const priced = facts.services.filter((s) => s.price).slice(0, 3);
    if (priced.length > 0)
      related.push(`Our prices: ${listOf(priced.map((s) => `${s.name.toLowerCase()} ${s.price}`))}.`);
  }
  if (/\b(?:hours|open|close|closed|weekend|saturday|sunday|today|tonight)\b/i.test(asked) && facts.hours)
    answers.push(`Our hours: ${facts.hours}.`);
  // Asked whether they text a machine, they are told so.
  if (/\b(?:who is this|who's this|whos this|bot|robot|automated|real person)\b/i.test(asked)) {
    answers.push(`This is ${facts.botName}, the automated text assistant for ${facts.businessName}.`);
  }
  const noteWords = new Set(words(facts.notes ?? ''));
  if (facts.notes && [...askedWords].some((w) => w.length >= 5 && noteWords.has(w))) answers.push(facts.notes.trim());
  return { answers, related };
}

function offerSlots(request: ReplyRequest): string {
  const slots = (request.offeredSlots ?? []).slice(0, 3);
  const tail = request.mustIncludeOptOut ? [OPT_OUT] : [];
  if (slots.length === 0) {
    return fit(
      [`I don't see an open time right now. Someone from ${request.facts.businessName} will text you to find one.`],
      [],
      tail,
    );
  }
  if (slots.length === 1) return fit([`The next open time is ${slots[0]}. Reply 1 to book it.`], [], tail);
  const numbered = slots.map((s, i) => `${i + 1}) ${s}`).join('; ');
  const choices = slots.length === 2 ? '1 or 2' : '1, 2 or 3';
  return fit([`Here are the next open times: ${numbered}. Reply ${choices} to book.`], [], tail);
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
      const tail = request.mustIncludeOptOut ? [OPT_OUT] : [];
      if (request.language === 'es') {
        const text = spanishReply(request).replace(/\s+/g, ' ').trim();
        return { text, model: 'template', promptVersion: TEMPLATE_PROMPT_VERSION };
      }
      let text: string;
      switch (request.purpose) {
        case 'first_reply':
          text = fit(
            [
              `${hi}this is ${facts.botName} with ${facts.businessName}. Thanks for reaching out! Want us to book a visit? Reply BOOK and I'll send open times.`,
            ],
            [serviceLine(facts)],
            [OPT_OUT],
          );
          break;
        case 'follow_up':
          text = fit(
            [
              `${hi}${facts.botName} from ${facts.businessName} again. Still need a hand? Reply BOOK for open times, or ask me anything.`,
            ],
            [],
            tail,
          );
          break;
        case 'offer_slots':
          text = offerSlots(request);
          break;
        case 'confirm_booking':
          text = fit(
            [
              `You're booked with ${facts.businessName} for ${request.offeredSlots?.[0] ?? 'the time you picked'}. To move it, reply RESCHEDULE; to cancel, reply "cancel my appointment".`,
            ],
            [],
            tail,
          );
          break;
        default: {
          const { answers, related } = answerFromFacts(request);
          const head =
            answers.length > 0
              ? [answers[0]!]
              : [`Thanks for your message! Someone from ${facts.businessName} will get back to you shortly.`];
          text = fit(head, [...answers.slice(1), ...related, 'Reply BOOK to see open times.'], tail);
          break;
        }
      }
      if (request.mustIncludeOptOut && !text.includes('STOP')) text = `${text} ${OPT_OUT}`;
      return { text: text.replace(/\s+/g, ' ').trim(), model: 'template', promptVersion: TEMPLATE_PROMPT_VERSION };
    },
    async classify(request) {
      return classifyByRules(request.text, { hasOpenOffer: request.hasOpenOffer, hasBooking: request.hasBooking });
    },
  };
}
