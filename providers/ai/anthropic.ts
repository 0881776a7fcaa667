import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type {
  AiWriter,
  BusinessFacts,
  ClassifyRequest,
  Intent,
  IntentResult,
  ReplyPurpose,
  ReplyRequest,
} from './ai-writer';
import type { Language } from '../../domain/language';
import { withGsmPunctuation, withinTwoSegments } from '../../domain/reply-check';

export const PROMPT_VERSION = 'reply-v3';
export const CLASSIFY_PROMPT_VERSION = 'classify-v2';

export interface AnthropicWriterOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  timeoutMs: number;
}

const INTENTS = [
  'opt_out',
  'opt_in',
  'help',
  'book',
  'pick_slot',
  'reschedule',
  'cancel_booking',
  'question',
  'human',
  'not_interested',
  'other',
] as const satisfies readonly Intent[];

const INTENT_MEANINGS: Record<Intent, string> = {
  opt_out: 'wants no more texts (STOP, unsubscribe, "stop texting me", PARAR, BAJA, "no me escriban más")',
  opt_in: 'wants texts again (START, UNSTOP)',
  help: 'asks for HELP / INFO / AYUDA about these texts',
  book: 'wants an appointment or a visit, or asks about availability',
  pick_slot: 'picks one of the numbered times offered ("2", "the first one")',
  reschedule: 'wants to move an existing appointment',
  cancel_booking: 'wants to cancel an existing appointment',
  question: 'asks a question about the business or its services',
  human: 'wants to talk to a person',
  not_interested: 'declines (no thanks, found someone else)',
  other: 'anything else',
};

const PURPOSES: Record<ReplyPurpose, string> = {
  first_reply:
    'Write the first text to this lead, who just asked us for help through our website: greet them, introduce yourself by name, and invite them to book a visit.',
  follow_up: 'The lead has not replied. Write a short, friendly follow-up that invites them to book or ask a question.',
  answer:
    "Answer the lead's last message using only the business facts. If the facts do not cover it, say someone from the team will follow up.",
  offer_slots: 'Offer the numbered times below and ask the lead to reply with the number of the one they want.',
  confirm_booking:
    'Confirm the booking for the time below and say that to move it they can reply RESCHEDULE, and to cancel they can reply "cancel my appointment".',
};

/** The words a Spanish text asks for: none is an opt-out word (a lone CANCELAR is). */
const PURPOSES_ES: Partial<Record<ReplyPurpose, string>> = {
  confirm_booking:
    'Confirm the booking for the time below and say that to move it they can reply CAMBIAR, and to cancel they can reply "cancelar mi cita".',
};

/** What each language's texts say to opt out: STOP either way, which carriers honour. */
const OPT_OUT_WORDING: Record<Language, string> = {
  en: 'Reply STOP to opt out',
  es: 'Responda STOP para darse de baja',
};

/** The rules that differ by language: the language itself, the length it allows, the words it asks for. */
function languageRules(language: Language): string[] {
  if (language === 'en')
    return [
      '- At most 300 characters (two SMS segments), plain ASCII punctuation.',
      '- When told to include opt-out wording, end with "Reply STOP to opt out".',
      // A lone CANCEL, END or QUIT opts the lead out at the carrier, whatever it was meant to answer.
      '- Never ask the lead to reply with a single word that carriers treat as an opt-out (such as cancel, end or quit); for a cancellation ask for "cancel my appointment".',
    ];
  return [
    '- Write in Spanish (usted), whatever language the business facts are in; keep names of the business and its services as they are.',
    // á, í, ó and ú are outside GSM-7: with one of them a segment holds 67 characters, not 153.
    '- At most 300 characters if you leave out the accents on á, í, ó and ú, or 130 with them; plain ASCII punctuation.',
    '- When told to include opt-out wording, end with "Responda STOP para darse de baja".',
    '- Never ask the lead to reply with a single word that means opting out (such as cancelar, baja, parar, or cancel, end, quit); for a cancellation ask for "cancelar mi cita", to see times ask for CITA, to move an appointment ask for CAMBIAR.',
  ];
}

function factsBlock(facts: BusinessFacts): string {
  const services = facts.services.map(
    (s) => `- ${s.name} (${s.durationMinutes} min): ${s.price ?? 'price not stated; quoted on request'}`,
  );
  return [
    `Business: ${facts.businessName}`,
    `Your name: ${facts.botName}`,
    `Hours: ${facts.hours}`,
    'Services:',
    ...(services.length > 0 ? services : ['- (none listed)']),
    ...(facts.notes ? [`Notes from the owner: ${facts.notes}`] : []),
  ].join('\n');
}

export function replySystemPrompt(facts: BusinessFacts, language: Language = 'en'): string {
  return [
    `You are ${facts.botName}, the text-message assistant of ${facts.businessName}. You write SMS replies to a person who asked the business for help.`,
    '',
    'Business facts (the only facts you know):',
    factsBlock(facts),
    '',
    'Rules:',
    `- Write as ${facts.botName}, in plain text: no markdown, no lists, no emoji.`,
    '- Never state a price or a time that is not in the business facts or the numbered offered times. Never promise availability you were not given.',
    ...languageRules(language),
    '- If asked whether you are a person, say you are an automated assistant and offer to have the team call.',
    '- Reply with the text message only.',
  ].join('\n');
}

function instruction(request: ReplyRequest): string {
  const language = request.language ?? 'en';
  const purpose = (language === 'es' ? PURPOSES_ES[request.purpose] : undefined) ?? PURPOSES[request.purpose];
  const lines = [`[Instruction from the system, not from the lead] ${purpose}`];
  if (language === 'es') lines.push('Write the text in Spanish.');
  if (request.leadFirstName) lines.push(`The lead's first name: ${request.leadFirstName}.`);
  if (request.offeredSlots && request.offeredSlots.length > 0) {
    lines.push('Offered times:', ...request.offeredSlots.map((slot, i) => `${i + 1}) ${slot}`));
  }
  if (request.mustIncludeOptOut) lines.push(`Include "${OPT_OUT_WORDING[language]}".`);
  return lines.join('\n');
}

type Turn = { role: 'user' | 'assistant'; content: string };

/** The Messages API wants alternating roles starting with the user, so consecutive turns merge. */
export function replyMessages(request: ReplyRequest): Turn[] {
  const turns: Turn[] = request.conversation.map((t) => ({
    role: t.from === 'lead' ? 'user' : 'assistant',
    content: t.text,
  }));
  if (turns[0]?.role !== 'user')
    turns.unshift({ role: 'user', content: '[The lead asked for help through the business website.]' });
  turns.push({ role: 'user', content: instruction(request) });
  return turns.reduce<Turn[]>((merged, turn) => {
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content = `${last.content}\n\n${turn.content}`;
    else merged.push({ ...turn });
    return merged;
  }, []);
}

export function classifySystemPrompt(): string {
  return [
    'You classify one text message a customer sent to a trades business; it may be in English or Spanish. Answer with JSON only, no other text:',
    '{"intent": "<intent>"} or, for pick_slot, {"intent": "pick_slot", "slot": <1-based number>}.',
    'Intents:',
    ...INTENTS.map((intent) => `- ${intent}: ${INTENT_MEANINGS[intent]}`),
  ].join('\n');
}

export function classifyUserMessage(request: ClassifyRequest): string {
  return [
    `The customer ${request.hasOpenOffer ? 'has' : 'has no'} numbered appointment times on offer, and ${request.hasBooking ? 'has' : 'has no'} booked appointment.`,
    'Their message:',
    request.text,
  ].join('\n');
}

const ZIntentSchema = z
  .object({
    intent: z.enum(INTENTS),
    slot: z.number().int().min(1).max(9).nullish(),
  })
  .refine((r) => r.intent !== 'pick_slot' || typeof r.slot === 'number', { message: 'pick_slot needs a slot number' });

function parseIntent(text: string): IntentResult {
  const json = text
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error(`classifier answered with something other than JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const parsed = ZIntentSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`classifier answered with an invalid intent: ${parsed.error.message}`);
  const { intent, slot } = parsed.data;
  return intent === 'pick_slot' && typeof slot === 'number' ? { intent, slot } : { intent };
}

const textOf = (content: Anthropic.ContentBlock[]) =>
  content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('')
    .trim();

export function createAnthropicWriter(options: AnthropicWriterOptions): AiWriter {
  // No SDK retries: a slow or failing model means the template goes out, not a longer wait.
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    timeout: options.timeoutMs,
    maxRetries: 0,
  });

  return {
    name: 'anthropic',
    async writeReply(request) {
      const response = await client.messages.create({
        model: options.model,
        max_tokens: 300,
        system: replySystemPrompt(request.facts, request.language),
        messages: replyMessages(request),
      });
      // Accented Spanish that would not fit goes without the accents GSM-7 lacks; the reply check decides the rest.
      const text = withinTwoSegments(withGsmPunctuation(textOf(response.content)));
      if (text.length === 0) throw new Error('the model returned an empty reply');
      return { text, model: response.model, promptVersion: PROMPT_VERSION };
    },
    async classify(request) {
      const response = await client.messages.create({
        model: options.model,
        max_tokens: 50,
        system: classifySystemPrompt(),
        messages: [{ role: 'user', content: classifyUserMessage(request) }],
      });
      return parseIntent(textOf(response.content));
    },
  };
}
