import type { Language } from './language';
import * as en from './sms-templates';
import type { NoteKind, TemplateContext } from './sms-templates';
import * as es from './sms-templates.es';

type Fixed = (c: TemplateContext) => string;

interface FixedTexts {
  OPT_OUT_CONFIRMATION: Fixed;
  OPT_IN_CONFIRMATION: Fixed;
  HELP: Fixed;
  BOOKING_CONFIRMED: Fixed;
  REMINDER: Fixed;
  NOTES: Record<NoteKind, Fixed>;
}

/** Every fixed text in each language: a kind missing from one language does not compile. */
const FIXED_TEXTS: Record<Language, FixedTexts> = { en, es };

/** The fixed texts in the lead's language (English for runs that never had one). */
export const fixedTextsIn = (language: Language | undefined): FixedTexts => FIXED_TEXTS[language ?? 'en'];
