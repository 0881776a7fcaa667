/**
 * Which of the business's services a lead's words name ("a water heater install",
 * "instalar un calentador"), without AI: each service's name and keywords are compared word
 * by word with the text, in English or Spanish, accents, plurals and common endings aside.
 */

export interface MatchableService {
  id: string;
  name: string;
  /** Other words for it, in any language the business's leads write: "boiler", "calentador de agua". */
  keywords: string[];
}

export type ServiceMatch =
  { kind: 'one'; serviceId: string } | { kind: 'several'; serviceIds: string[] } | { kind: 'none' };

const STOP_WORDS = new Set([
  // English
  'a',
  'an',
  'the',
  'my',
  'our',
  'of',
  'for',
  'and',
  'or',
  'to',
  'in',
  'on',
  'with',
  'service',
  'services',
  // Spanish
  'un',
  'una',
  'el',
  'la',
  'los',
  'las',
  'de',
  'del',
  'mi',
  'para',
  'por',
  'y',
  'o',
  'en',
  'con',
  'servicio',
]);

/** Longest first: "installations" loses "ations", not "s". */
const ENDINGS = ['aciones', 'ations', 'acion', 'ation', 'ando', 'ing', 'ado', 'ada', 'ar', 'ed', 'es', 's'];

function stem(word: string): string {
  for (const ending of ENDINGS)
    if (word.endsWith(ending) && word.length - ending.length >= 4) return word.slice(0, -ending.length);
  return word;
}

/** Lower case, accents and punctuation gone, stop words out, each word stemmed. */
export function serviceWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0 && !STOP_WORDS.has(w))
    .map(stem);
}

/** How much of the service a text names: the best of its name and keywords, as the share of that term's words present. */
function coverage(words: Set<string>, service: MatchableService): { share: number; matched: number } {
  let best = { share: 0, matched: 0 };
  for (const term of [service.name, ...service.keywords]) {
    const termWords = [...new Set(serviceWords(term))];
    if (termWords.length === 0) continue;
    const matched = termWords.filter((w) => words.has(w)).length;
    const share = matched / termWords.length;
    if (share > best.share || (share === best.share && matched > best.matched)) best = { share, matched };
  }
  return best;
}

/** Words of a service's name and keywords that no other service uses: one of them alone names it ("the inspection"). */
function distinctiveWords(services: MatchableService[]): Map<string, Set<string>> {
  const wordsOf = new Map(services.map((s) => [s.id, new Set([s.name, ...s.keywords].flatMap(serviceWords))]));
  return new Map(
    services.map((s) => [
      s.id,
      new Set(
        // Short words ("no", "hot") say too little on their own.
        [...wordsOf.get(s.id)!].filter(
          (w) => w.length >= 4 && services.every((o) => o.id === s.id || !wordsOf.get(o.id)!.has(w)),
        ),
      ),
    ]),
  );
}

/**
 * A service every word of whose name (or of one keyword) is in the text wins; several such,
 * the one naming the most words; a tie is several. Without a whole match, a service at least
 * half named is taken when no other is named as much, and else a service one of whose own
 * words (no other service's) the text uses. Nothing named: none.
 */
export function matchService(text: string, services: MatchableService[]): ServiceMatch {
  const words = new Set(serviceWords(text));
  const scored = services
    .map((s) => ({ id: s.id, ...coverage(words, s) }))
    .filter((s) => s.matched > 0 && s.share >= 0.5);
  const topShare = Math.max(0, ...scored.map((s) => s.share));
  const atTop = scored.filter((s) => s.share === topShare);
  const topMatched = Math.max(0, ...atTop.map((s) => s.matched));
  const best = atTop.filter((s) => s.matched === topMatched);
  if (best.length === 1) return { kind: 'one', serviceId: best[0]!.id };
  const distinctive = distinctiveWords(services);
  const named = (best.length > 0 ? best.map((s) => s.id) : services.map((s) => s.id)).filter((id) =>
    [...distinctive.get(id)!].some((w) => words.has(w)),
  );
  if (named.length === 1) return { kind: 'one', serviceId: named[0]! };
  return best.length > 1 ? { kind: 'several', serviceIds: best.map((s) => s.id) } : { kind: 'none' };
}
