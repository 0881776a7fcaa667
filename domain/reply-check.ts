import { SegmentedMessage } from 'sms-segments-calculator';
import type { BusinessFacts } from './business-facts';
import { isOptOutKeyword } from './intent-rules';

/**
 * Why a reply was refused, one code per rule. Codes, not sentences: callers branch and log
 * on them, and a code never quotes the text it refused. The wording is for a prompt or a
 * person reading a report.
 */
export const REPLY_PROBLEMS = {
  empty: 'the reply is empty',
  too_long: 'the reply is longer than two SMS segments',
  unknown_price: 'the reply states a price that is not in the business facts',
  unknown_time: 'the reply names a time that is not in the hours or the offered slots',
  no_bot_name: 'the first message must name the bot',
  no_opt_out: 'the first message must say how to opt out (Reply STOP)',
  asks_opt_out_keyword: 'the reply asks the lead to answer with a carrier opt-out keyword for something else',
} as const;

export type ReplyProblem = keyof typeof REPLY_PROBLEMS;

export type ReplyVerdict = { ok: true } | { ok: false; problems: ReplyProblem[] };

export const MAX_SEGMENTS = 2;

const MONEY = /\$\s?\d[\d,]*(?:\.\d{1,2})?|\b\d[\d,]*(?:\.\d{1,2})?\s?(?:dollars|bucks|usd)\b/gi;
const CLOCK = /\b(?:[01]?\d|2[0-3])(?::[0-5]\d)?\s?(?:a\.?m\.?|p\.?m\.?)|\b(?:[01]?\d|2[0-3]):[0-5]\d\b/gi;

const digits = (s: string) =>
  s
    .replace(/[^\d.]/g, '')
    .replace(/\.0+$/, '')
    .replace(/\.$/, '');

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

/** ASCII characters of the GSM-7 basic alphabet: one septet each, no extension table. */
const PLAIN_GSM7 = /^[A-Za-z0-9 \n\r!"#%&'()*+,\-./:;<=>?@$_]*$/;

export function segmentsOf(text: string): number {
  // Most replies are plain ASCII: counted directly (160 alone, 153 per part when
  // concatenated). The library splits graphemes and costs about 1 ms a call, several
  // calls a send; anything else is still counted by it.
  if (text.length > 0 && PLAIN_GSM7.test(text)) return text.length <= 160 ? 1 : Math.ceil(text.length / 153);
  return new SegmentedMessage(text).segmentsCount;
}

// One curly quote or en dash turns the whole text into UCS-2, which halves what fits in two segments.
const GSM_LOOKALIKES: Array<[RegExp, string]> = [
  [/[\u2018\u2019\u201A\u2032]/g, "'"],
  [/[\u201C\u201D\u201E\u2033]/g, '"'],
  [/[\u2013\u2014\u2212]/g, '-'],
  [/\u2026/g, '...'],
  [/[\u00A0\u2009\u202F]/g, ' '],
];

/** Typographic punctuation replaced by its plain GSM-7 twin, so the text stays in the 160-character alphabet. */
export function withGsmPunctuation(text: string): string {
  return GSM_LOOKALIKES.reduce((t, [re, plain]) => t.replace(re, plain), text);
}

// GSM-7 has é, ñ, ü, ¿ and ¡ but not á, í, ó or ú: one of those makes a Spanish text UCS-2 (67 characters a part).
const NOT_GSM_VOWELS: Record<string, string> = { á: 'a', í: 'i', ó: 'o', ú: 'u', Á: 'A', Í: 'I', Ó: 'O', Ú: 'U' };

/** Spanish without the accents GSM-7 lacks: what SMS readers are used to when a text must stay short. */
export function withGsmLetters(text: string): string {
  return text.replace(/[áíóúÁÍÓÚ]/g, (c) => NOT_GSM_VOWELS[c]!);
}

/**
 * The text as written when it fits in two segments; else its plain-punctuation twin; else
 * that without the accents GSM-7 lacks. A long business name or a model's wording decides.
 */
export function withinTwoSegments(text: string): string {
  if (segmentsOf(text) <= MAX_SEGMENTS) return text;
  const plain = withGsmPunctuation(text);
  return segmentsOf(plain) <= MAX_SEGMENTS ? plain : withGsmLetters(plain);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Carrier rules want the way out spelled out: "Reply STOP to opt out", "Text STOP to
 * unsubscribe", "Responda STOP para darse de baja" (STOP in Spanish too: carriers honour it).
 */
const OPT_OUT_WORDING =
  /(?<![\p{L}])(?:reply|text|send|txt|responda|responde|conteste|escriba|envíe|envie)\s+["']?stop\b/iu;

const ASK_VERB =
  /(?<![\p{L}])(?:reply|respond|text|txt|send|answer|responda|responde|conteste|contesta|escriba|escribe|envíe|envie|envía|envia)(?:\s+(?:with|back|con))?\s+/giu;
/** A quoted phrase, a run of capitals or digits ("RESCHEDULE", "STOP ALL", "2"), or one plain word. */
const ANSWER = /^(?:["“']([^"“”']{1,60})["”']|([\p{Lu}\p{N}]+(?:\s+[\p{Lu}\p{N}]+)*)(?![\p{Ll}])|([\p{L}\p{N}]+))/u;
/** "A, B or C" between quoted or capital answers; only "or" between plain words ("text us, end of story"). */
const LIST_SEPARATOR = /^\s*(?:,\s*(?:or|o)\s+|,\s*|\/\s*|\s+(?:or|o)\s+)/u;
const OR_SEPARATOR = /^\s+(?:or|o)\s+/u;
const OPT_OUT_PURPOSE =
  /^\s*(?:to\s+(?:opt[\s-]?out|unsubscribe|stop\s+(?:texts|messages|receiving|getting))\b|para\s+(?:darse\s+de\s+baja|dejar\s+de\s+recibir|no\s+recibir))/iu;

/**
 * The carrier opt-out keywords a text asks the lead to send back for anything but opting
 * out: "Reply RESCHEDULE or CANCEL" asks for CANCEL, which the carrier takes as an opt-out
 * from every text; "Reply STOP to opt out" asks for STOP to opt out, which is its purpose.
 */
export function optOutKeywordAsks(text: string): string[] {
  const found: string[] = [];
  for (const verb of text.matchAll(ASK_VERB)) {
    let rest = text.slice(verb.index + verb[0].length);
    const asked: string[] = [];
    for (;;) {
      const answer = ANSWER.exec(rest);
      if (!answer) break;
      const [, quoted, capitals, word] = answer;
      asked.push(...(capitals ? capitals.split(/\s+OR?\s+/) : [quoted ?? word!]));
      rest = rest.slice(answer[0].length);
      const separator = (word ? OR_SEPARATOR : LIST_SEPARATOR).exec(rest);
      if (!separator) break;
      rest = rest.slice(separator[0].length);
    }
    if (OPT_OUT_PURPOSE.test(rest)) continue;
    found.push(...asked.filter((a) => isOptOutKeyword(a)));
  }
  return found;
}

/**
 * What a reply must be before it may go to a lead: short (two SMS segments), grounded
 * (no price or time the business did not state or offer), signed by the bot in the
 * first message, with the opt-out wording carriers require in the first message.
 */
export function checkReply(
  text: string,
  opts: { facts: BusinessFacts; offeredSlots: string[]; isFirstMessage: boolean },
): ReplyVerdict {
  const problems = new Set<ReplyProblem>();
  if (text.trim().length === 0) problems.add('empty');
  if (segmentsOf(text) > MAX_SEGMENTS) problems.add('too_long');

  const knownPrices = new Set(
    opts.facts.services
      .flatMap((s) => (s.price ? [...s.price.matchAll(MONEY)].map((m) => digits(m[0])) : []))
      .concat(opts.facts.notes ? [...opts.facts.notes.matchAll(MONEY)].map((m) => digits(m[0])) : []),
  );
  if ([...text.matchAll(MONEY)].some((m) => !knownPrices.has(digits(m[0])))) problems.add('unknown_price');

  const sources = [opts.facts.hours, ...opts.offeredSlots, opts.facts.notes ?? ''];
  const knownTimes = new Set(sources.flatMap((s) => [...s.matchAll(CLOCK)].map((m) => minutesOf(m[0]))));
  if ([...text.matchAll(CLOCK)].some((m) => !knownTimes.has(minutesOf(m[0])))) problems.add('unknown_time');

  if (optOutKeywordAsks(text).length > 0) problems.add('asks_opt_out_keyword');

  if (opts.isFirstMessage) {
    // Whole words: "Ava" must not pass because the text says "available".
    const botName = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(opts.facts.botName.trim())}(?![\\p{L}\\p{N}])`, 'iu');
    if (!botName.test(text)) problems.add('no_bot_name');
    if (!OPT_OUT_WORDING.test(text)) problems.add('no_opt_out');
  }
  return problems.size === 0 ? { ok: true } : { ok: false, problems: [...problems] };
}
