import { MAX_SEGMENTS, segmentsOf, withGsmPunctuation } from './reply-check';

/**
 * Fixed texts whose wording matters too much to leave to a model: carrier keyword
 * answers (CTIA), confirmations and reminders. Each fits in two SMS segments. None asks the
 * lead to answer with a carrier opt-out keyword (a lone CANCEL opts them out of every text)
 * except to opt out.
 */
export interface TemplateContext {
  businessName: string;
  botName: string;
  contactPhone: string | null;
  contactEmail: string | null;
  when?: string;
  /** The technician's first name, for job updates. */
  technician?: string;
  /** Minutes until the technician arrives, for "on my way". */
  etaMinutes?: number;
  /** The business's active services, by name: "which service?" lists them. */
  services?: string[];
  /** The invoice's hosted page or the business's review page. */
  link?: string;
  /** The invoice's amount as written, e.g. "$185.00". */
  amount?: string;
}

/** The first wording that fits in two segments (a long business name and a long link share them), else the last. */
const firstWithinSegments = (...texts: string[]) =>
  texts.map(withinSegments).find((t) => segmentsOf(t) <= MAX_SEGMENTS) ?? withinSegments(texts.at(-1)!);

const link = (c: TemplateContext) => (c.link ? ` ${c.link}` : '');
const forAmount = (c: TemplateContext, word: string) => (c.amount ? ` ${word} ${c.amount}` : '');

/** A long business name would push one dash into a third UCS-2 segment: then the plain GSM-7 twin. */
const withinSegments = (text: string) => (segmentsOf(text) <= MAX_SEGMENTS ? text : withGsmPunctuation(text));

export const OPT_OUT_CONFIRMATION = (c: TemplateContext) =>
  `${c.businessName}: you're unsubscribed and will get no more texts from us. Reply START to resubscribe.`;

export const OPT_IN_CONFIRMATION = (c: TemplateContext) =>
  `${c.businessName}: you're resubscribed to texts about your request. Reply STOP to opt out, HELP for help.`;

export const HELP = (c: TemplateContext) => {
  const contact = [c.contactPhone, c.contactEmail].filter(Boolean).join(' or ');
  return `${c.businessName}: texts about your service request.${contact ? ` Questions? Contact us at ${contact}.` : ''} Msg & data rates may apply. Reply STOP to opt out.`;
};

export const BOOKING_CONFIRMED = (c: TemplateContext) =>
  `You're booked with ${c.businessName} for ${c.when}. We'll text a reminder the day before. To move it, reply RESCHEDULE; to cancel, reply "cancel my appointment".`;

export const REMINDER = (c: TemplateContext) =>
  `Reminder from ${c.businessName}: your appointment is ${c.when}. Reply RESCHEDULE if you need a different time.`;

export const NOTES = {
  no_slots: (c: TemplateContext) =>
    `Thanks! ${c.botName} here — I couldn't find an open time this week. Someone from ${c.businessName} will text you to set one up.`,
  already_booked: (c: TemplateContext) =>
    `You're already booked with ${c.businessName} for ${c.when}. Reply RESCHEDULE to change it.`,
  cancelled: (c: TemplateContext) =>
    `Your appointment with ${c.businessName} is cancelled. Text us anytime if you'd like to book again.`,
  nothing_to_cancel: (c: TemplateContext) =>
    `You don't have an appointment with ${c.businessName} right now. Want me to find you a time?`,
  handoff: (c: TemplateContext) => `Got it — a person from ${c.businessName} will text you shortly.`,
  closing: (c: TemplateContext) =>
    `Understood, thanks for letting us know. If you need ${c.businessName} in the future, just text this number.`,
  no_show: (c: TemplateContext) =>
    `Sorry we missed you today! Reply BOOK and ${c.botName} will find you a new time with ${c.businessName}.`,
  /** Often the caller's first text from us: it names the bot and the way out, as a first message must. */
  missed_call: (c: TemplateContext) =>
    withinSegments(
      `Sorry we missed your call — how can we help? This is ${c.botName} from ${c.businessName}. Reply STOP to opt out.`,
    ),
  on_my_way: (c: TemplateContext) =>
    withinSegments(
      `${c.technician ?? 'Your technician'} from ${c.businessName} is on the way${c.etaMinutes ? `, arriving in about ${c.etaMinutes} min` : ''}.`,
    ),
  job_finished: (c: TemplateContext) =>
    withinSegments(
      `Thanks for choosing ${c.businessName}! Your job is finished. If anything isn't right, just text us at this number.`,
    ),
  // Stripe's hosted links are long (about 150 characters): the wording stays short, the amount goes first if need be.
  invoice: (c: TemplateContext) =>
    firstWithinSegments(
      `${c.businessName}: your invoice${forAmount(c, 'for')} is ready. Pay securely here:${link(c)}`,
      `${c.businessName}: your invoice is ready. Pay here:${link(c)}`,
    ),
  invoice_reminder: (c: TemplateContext) =>
    firstWithinSegments(
      `Reminder from ${c.businessName}: your invoice${forAmount(c, 'for')} is still open. Pay here:${link(c)}`,
      `${c.businessName}: your invoice is still open. Pay here:${link(c)}`,
    ),
  invoice_paid: (c: TemplateContext) =>
    withinSegments(`${c.businessName}: payment received, thank you! We appreciate your business.`),
  review_request: (c: TemplateContext) =>
    firstWithinSegments(
      `Thanks again for choosing ${c.businessName}! If you have a minute, a quick review would mean a lot:${link(c)}`,
      `${c.businessName}: would you leave us a quick review?${link(c)}`,
    ),
  review_reminder: (c: TemplateContext) =>
    firstWithinSegments(
      `${c.businessName} here: if you were happy with the job, a short review helps us a lot:${link(c)}`,
      `${c.businessName}: a short review helps us a lot:${link(c)}`,
    ),
  /** The lead's words named no service, or several: the choice decides the slot's length and who comes. */
  which_service: (c: TemplateContext) =>
    listedWithinSegments(c.services ?? [], 'or', (names) =>
      names
        ? `${c.businessName}: happy to help! Which service do you need: ${names}?`
        : `${c.businessName}: happy to help! Which service do you need?`,
    ),
} as const;

/**
 * The text with as many of the names (in order) as keep it within two segments: "A, B or C";
 * a long list loses its tail rather than the question.
 */
export function listedWithinSegments(names: string[], or: string, text: (names: string) => string): string {
  for (let n = Math.min(names.length, 6); n > 0; n -= 1) {
    const shown = names.slice(0, n);
    const list = shown.length > 1 ? `${shown.slice(0, -1).join(', ')} ${or} ${shown.at(-1)}` : shown[0]!;
    const candidate = withinSegments(text(list));
    if (segmentsOf(candidate) <= MAX_SEGMENTS) return candidate;
  }
  return withinSegments(text(''));
}

export type NoteKind = keyof typeof NOTES;
