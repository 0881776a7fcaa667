import { SegmentedMessage } from 'sms-segments-calculator';
import type { BusinessFacts } from './ai-writer';

export type ReplyVerdict = { ok: true } | { ok: false; reasons: string[] };

export const MAX_SEGMENTS = 2;

const MONEY = /\$\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:dollars|bucks|usd)\b/gi;
const CLOCK = /\b(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?(?:a\.?m\.?|p\.?m\.?)|\b(?:[01]?\d|2[0-3]):[0-5]\d\b/gi;

const digits = (s: string) => s.replace(/[^\d.]/g, '').replace(/\.0+$/, '').replace(/\.$/, '');

/** "3pm", "3:00 PM", "15:00" → minutes after midnight, so equal times compare equal. */
function minutesOf(text: string): number | null {
  const m = /(\d{1,2})(?::(\d{2}))?\s?(a|p)?/i.exec(text.replace(/\./g, ''));
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2] ?? 0);
  const half = m[3]?.toLowerCase();
  if (half === 'p' && hour < 12) hour += 12;
  if (half === 'a' && hour === 12) hour = 0;
  return hour * 60 + minute;
}

export function segmentsOf(text: string): number {
  return new SegmentedMessage(text).segmentsCount;
}

/**
 * What a reply must be before it may go to a lead: short (two SMS segments), grounded
 * (no price or time the business did not state or offer), signed by the bot in the
 * first message, with the opt-out wording carriers require in the first message.
 */
export function checkReply(text: string, opts: { facts: BusinessFacts; offeredSlots: string[]; isFirstMessage: boolean }): ReplyVerdict {
  const reasons: string[] = [];
  if (text.trim().length === 0) reasons.push('empty');
  const segments = segmentsOf(text);
  if (segments > MAX_SEGMENTS) reasons.push(`${segments} SMS segments (at most ${MAX_SEGMENTS})`);

  const knownPrices = new Set(
    opts.facts.services.flatMap((s) => (s.price ? [...s.price.matchAll(MONEY)].map((m) => digits(m[0])) : [])).concat(
      opts.facts.notes ? [...opts.facts.notes.matchAll(MONEY)].map((m) => digits(m[0])) : [],
    ),
  );
  for (const m of text.matchAll(MONEY)) {
    if (!knownPrices.has(digits(m[0]))) reasons.push(`price not in the business facts: ${m[0].trim()}`);
  }

  const sources = [opts.facts.hours, ...opts.offeredSlots, opts.facts.notes ?? ''];
  const knownTimes = new Set(sources.flatMap((s) => [...s.matchAll(CLOCK)].map((m) => minutesOf(m[0]))));
  for (const m of text.matchAll(CLOCK)) {
    if (!knownTimes.has(minutesOf(m[0]))) reasons.push(`time not in the hours or the offered slots: ${m[0].trim()}`);
  }

  if (opts.isFirstMessage) {
    if (!text.toLowerCase().includes(opts.facts.botName.toLowerCase())) reasons.push('the first message must name the bot');
    if (!/\bstop\b/i.test(text)) reasons.push('the first message must say how to opt out (STOP)');
  }
  return reasons.length === 0 ? { ok: true } : { ok: false, reasons };
}
