/** The languages leads are texted in. */
export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);

/*
 * Which of two languages a short text is in. Hand-written rather than a library on purpose:
 * the detection libraries (franc, cld3, eld) guess among dozens of languages and are
 * unreliable on the 2–10 words of a text message ("hola" comes out as anything), and this
 * runs inside the lead workflow, which must stay deterministic and small. A choice between
 * English and Spanish over their most common words and Spanish's own letters is enough.
 */

/** Words that, alone, say Spanish ("hola", "gracias", "necesito"). */
const STRONG_ES = new Set([
  'hola',
  'gracias',
  'necesito',
  'quiero',
  'buenos',
  'buenas',
  'usted',
  'ustedes',
  'cita',
  'favor',
  'ayuda',
  'tengo',
  'puede',
  'pueden',
  'cuando',
  'cuanto',
  'donde',
  'manana',
  'agua',
  'caliente',
  'calentador',
  'fuga',
  'tuberia',
  'aire',
  'estoy',
  'esta',
  'tiene',
  'tienen',
  'hoy',
  'dias',
  'tardes',
  'noches',
  'senor',
  'senora',
  'vengan',
  'venir',
  'llamar',
  'quisiera',
  'cuesta',
  'precio',
  'cambiar',
  'cancelar',
  'parar',
  'baja',
  'primera',
  'segunda',
  'tercera',
  'horario',
  'horarios',
  'reservar',
  'responda',
]);
/** Common Spanish words that also appear in English or need company ("no", "me", "el"). */
const WEAK_ES = new Set([
  'el',
  'la',
  'los',
  'las',
  'un',
  'una',
  'de',
  'del',
  'que',
  'para',
  'por',
  'con',
  'mi',
  'su',
  'es',
  'y',
  'en',
  'se',
  'lo',
  'le',
  'si',
  'muy',
  'pero',
  'bien',
  'casa',
  'hay',
  'como',
  'mas',
  'ya',
]);
const STRONG_EN = new Set([
  'the',
  'hello',
  'thanks',
  'thank',
  'need',
  'want',
  'please',
  'my',
  'is',
  'are',
  'you',
  'your',
  'can',
  'could',
  'would',
  'what',
  'when',
  'how',
  'much',
  'water',
  'heater',
  'leak',
  'leaking',
  'appointment',
  'tomorrow',
  'today',
  'book',
  'have',
  'with',
  'and',
  'it',
  'this',
  'that',
  'of',
  'to',
  'i',
  "i'm",
  'im',
  'hi',
  'yes',
  'not',
  'will',
  'do',
  'does',
]);

/** ñ, ¿, ¡ and the acute accents are Spanish's own; each counts as a strong word. */
const SPANISH_LETTERS = /[ñ¿¡áíóú]/giu;

/**
 * 'es' or 'en' when the text says so clearly, else null ("OK", "2", "STOP", a name): the
 * caller keeps the language it had. A strong word or a Spanish letter is two points, a
 * shared word one; Spanish takes two points, English four.
 */
export function detectLanguage(text: string | null | undefined): Language | null {
  if (!text) return null;
  const lower = text.toLowerCase();
  const words =
    lower
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .match(/[\p{L}']+/gu) ?? [];
  let es = 2 * (lower.match(SPANISH_LETTERS)?.length ?? 0);
  let en = 0;
  for (const word of words) {
    if (STRONG_ES.has(word)) es += 2;
    else if (WEAK_ES.has(word)) es += 1;
    if (STRONG_EN.has(word)) en += 2;
  }
  if (es >= 2 && es > en) return 'es';
  // Spanish speakers write "ok", "thanks", "yes" too: English takes two of its words.
  if (en >= 4 && en > es) return 'en';
  return null;
}
