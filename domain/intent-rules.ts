/**
 * The no-AI classifier, and the one that decides carrier keywords even when AI is on:
 * STOP must always work, whatever a model thinks.
 */

export type Intent =
  | 'opt_out'
  | 'opt_in'
  | 'help'
  | 'book'
  | 'pick_slot'
  | 'reschedule'
  | 'cancel_booking'
  | 'question'
  | 'human'
  | 'not_interested'
  | 'other';

export interface IntentResult {
  intent: Intent;
  /** 1-based slot number for pick_slot. */
  slot?: number;
}

const norm = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}#'\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Carrier (CTIA) opt-out keywords and their common spellings: a text that is only one of
 * these, in any case and with punctuation around, opts the sender out at the carrier, so
 * no automated text may ask for one as an answer to anything else.
 */
export const OPT_OUT_KEYWORDS: readonly string[] = [
  'stop',
  'stopall',
  'stop all',
  'unsubscribe',
  'cancel',
  'end',
  'quit',
  'revoke',
  'optout',
  'opt out',
  'arret',
  'arreter',
  // Spanish: carriers act on the English words only, so these are honoured here, as any reasonable revocation is.
  'parar',
  'baja',
  'cancelar',
  'detener',
  'darme de baja',
];
const OPT_OUT_SET = new Set(OPT_OUT_KEYWORDS);
const OPT_IN_KEYWORDS = new Set(['start', 'unstop', 'yes start', 'subscribe', 'alta']);
const HELP_KEYWORDS = new Set(['help', 'info', 'ayuda', 'informacion']);

export function isOptOutKeyword(text: string): boolean {
  return OPT_OUT_SET.has(norm(text));
}

/** Plain-language revocation (FCC 2024: consent may be revoked by any reasonable means). "stop by" is a visit, not an opt-out. */
const PLAIN_OPT_OUT = [
  /\bstop (?:texting|messaging|sending|contacting|calling)\b/,
  /\b(?:don't|dont|do not|no more) (?:text|message|contact)/,
  /\bremove me\b/,
  /\btake me off\b/,
  /\bunsubscribe\b/,
  /\bleave me alone\b/,
  /\bopt me out\b/,
  /\bno (?:more )?(?:texts|messages|text messages|sms)\b/,
  /^(?:please |pls |just |ok |okay )?stop(?: (?:it|now|please|pls|thanks|thank you))*$/,
  // Whoever answers a wrong number never consented to these texts.
  /\bwrong (?:number|person)\b/,
  // Spanish, as written without accents (the text is normalised).
  /\b(?:no|ya no) me (?:escriban?|envien|manden|mande|envie|contacten?)\b/,
  /\bdejen? de (?:escribirme|enviarme|mandarme|escribir|enviar|mandar)\b/,
  /\bno (?:quiero |deseo )?(?:recibir )?mas (?:mensajes|textos)\b/,
  /\b(?:quitenme|sacame|sacarme|borrenme|quitarme)\b/,
  /\bnumero equivocado\b/,
  /^(?:por favor )?(?:parar|basta|baja)(?: (?:por favor|ya|gracias))*$/,
];

/** "STOP!!! found someone else", "Stop, please": a keyword leading a longer text still opts out; "stop by" does not. */
const LEADING_KEYWORD =
  /^\s*(?:stop|stopall|unsubscribe|optout|opt[ -]out|parar)(?:\s*[.!,;:]|\s+(?:please|now|it|texting|messaging|por favor|ya)\b)/i;

// "the last one": 'one' is a pronoun there, so ordinals are words, not numerals.
const ORDINALS: Array<[RegExp, number | 'last']> = [
  [/\b(?:last|ultim[oa])\b/, 'last'],
  [/\b(?:first|1st|primer[oa]?)\b/, 1],
  [/\b(?:second|2nd|segund[oa])\b/, 2],
  [/\b(?:third|3rd|tercer[oa]?)\b/, 3],
];

function slotChoice(t: string): number | 'last' | null {
  const bare =
    /^(?:#|option |slot |number |no |opcion |numero |la |el )?\s*([1-9])(?: please| works| is good| pls| por favor| me sirve| esta bien)?$/.exec(
      t,
    );
  if (bare) return Number(bare[1]);
  const option = /\b(?:option|slot|number|#|opcion|numero)\s*([1-9])\b/.exec(t);
  if (option) return Number(option[1]);
  // Spanish ordinals are nouns with their article ("la primera"): no pronoun to mistake them for.
  if (
    /\b(?:one|time|slot|option)\b/.test(t) ||
    /\bworks\b/.test(t) ||
    /^(?:(?:la|el) \S+|primer[oa]?|segund[oa]|tercer[oa]?|ultim[oa])(?: (?:por favor|me sirve|esta bien))?$/.test(t) ||
    /\b(?:opcion|hora|horario|me sirve|me queda)\b/.test(t)
  ) {
    for (const [re, n] of ORDINALS) if (re.test(t)) return n;
  }
  return null;
}

const has = (t: string, words: RegExp) => words.test(t);

export function classifyByRules(text: string, context: { hasOpenOffer: boolean; hasBooking: boolean }): IntentResult {
  const t = norm(text);
  if (OPT_OUT_SET.has(t)) return { intent: 'opt_out' };
  if (OPT_IN_KEYWORDS.has(t)) return { intent: 'opt_in' };
  if (HELP_KEYWORDS.has(t)) return { intent: 'help' };
  if (LEADING_KEYWORD.test(text) || PLAIN_OPT_OUT.some((re) => re.test(t))) return { intent: 'opt_out' };

  if (context.hasOpenOffer) {
    const choice = slotChoice(t);
    if (choice !== null) return { intent: 'pick_slot', slot: choice === 'last' ? 3 : choice };
  }

  if (
    has(
      t,
      /\b(?:reschedul\w*|move (?:my|the) (?:appointment|visit|booking)|different (?:time|day)|another (?:time|day)|change (?:the|my) (?:time|appointment))\b/,
    ) ||
    // "cambiar" alone is the word our texts ask for; "cambiar el calentador" is a job, not a new time.
    t === 'cambiar' ||
    has(
      t,
      /\b(?:reprogramar|reagendar|cambiar (?:la|mi) (?:cita|hora|fecha|visita)|mover (?:la|mi) cita|otro dia|otra hora|otro horario|otra fecha)\b/,
    )
  )
    return { intent: 'reschedule' };
  if (
    has(t, /\bcancel\b/) ||
    has(t, /\b(?:won't|wont|will not|don't|dont|do not) need the (?:appointment|visit)/) ||
    has(t, /\b(?:cancelar?|cancele|cancelen|anular) (?:(?:mi|la|el|esta) )?(?:cita|visita|turno)\b/) ||
    has(t, /\bya no necesito (?:la|el) (?:cita|visita|turno)\b/)
  )
    return { intent: 'cancel_booking' };
  if (
    has(
      t,
      /\b(?:real person|human|someone real|speak (?:with|to)|talk (?:with|to)|call me|give me a call|the owner|a manager|una persona|persona real|hablar con|llamenme|llameme|llamame|el dueno|un gerente|el encargado)\b/,
    )
  )
    return { intent: 'human' };
  if (
    has(
      t,
      /\b(?:not interested|no thanks|no thank you|found someone|already found|all set|nevermind|never mind|too expensive|went with|no gracias|no me interesa|ya encontre|ya contrate|ya lo resolvi|muy caro|demasiado caro|olvidelo)\b/,
    )
  )
    return { intent: 'not_interested' };
  if (
    has(
      t,
      /\b(?:book|schedule|appointment|appt|come out|come by|stop by|send (?:a|someone|somebody)|tech|technician|asap|emergency|flood\w*|leak\w*|burst|clog\w*|backed up|no heat|no hot water|not working|available|availability|anything (?:on )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|cita|quiero|reservar|agendar|una visita|vengan|venir|urgente|emergencia|fuga|gotea|goteo|tapad[oa]|no hay agua caliente|no funciona|no sirve|disponible|disponibilidad)\b/,
    ) ||
    has(t, /\b(?:when can|cuando (?:pueden|puede|podrian))\b/)
  ) {
    return { intent: 'book' };
  }
  if (
    text.includes('?') ||
    has(t, /^(?:how|what|who|where|when|why|do|does|is|are|can|could|will|would)\b/) ||
    has(t, /^(?:como|que|quien|donde|cuando|por que|cuanto|cuanta|tienen|hacen|trabajan|cobran)\b/)
  )
    return { intent: 'question' };
  return { intent: 'other' };
}
