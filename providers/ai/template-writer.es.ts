import type { BusinessFacts, ReplyRequest } from './ai-writer';
import { MAX_SEGMENTS, segmentsOf, withGsmLetters, withGsmPunctuation } from '../../domain/reply-check';

const OPT_OUT = 'Responda STOP para darse de baja.';

/**
 * head, then as many optional sentences as fit in two SMS segments, then tail. Accented
 * Spanish is UCS-2 (67 characters a part): a sentence is kept without the accents GSM-7
 * lacks before it is dropped.
 */
function fit(head: string[], optional: Array<string | null>, tail: string[] = []): string {
  const extra = optional.filter((s): s is string => Boolean(s));
  for (;;) {
    const text = withGsmPunctuation([...head, ...extra, ...tail].filter(Boolean).join(' '));
    if (segmentsOf(text) <= MAX_SEGMENTS) return text;
    const plain = withGsmLetters(text);
    if (segmentsOf(plain) <= MAX_SEGMENTS || extra.length === 0) return plain;
    extra.pop();
  }
}

const listOf = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} y ${items.at(-1)}`;

const lastLeadText = (request: ReplyRequest) =>
  [...request.conversation].reverse().find((t) => t.from === 'lead')?.text ?? '';
const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
const words = (text: string) => fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];

function serviceLine(facts: BusinessFacts): string | null {
  const names = facts.services.slice(0, 3).map((s) => s.name.toLowerCase());
  return names.length > 0 ? `Hacemos ${listOf(names)}.` : null;
}

/** As the English writer: only from the facts (a price, the hours, who is texting, the owner's notes). */
function answerFromFacts(request: ReplyRequest): { answers: string[]; related: string[] } {
  const { facts } = request;
  const asked = fold(lastLeadText(request));
  const askedWords = new Set(words(asked));
  const answers: string[] = [];
  const related: string[] = [];

  const mentioned = facts.services.filter((s) => words(s.name).some((w) => w.length >= 4 && askedWords.has(w)));
  const asksPrice =
    /\b(?:cuanto|precio|precios|costo|cuesta|cobran|tarifa|cotizacion|presupuesto|how much|price)\b/.test(asked);
  for (const service of mentioned.slice(0, 2)) {
    if (service.price) answers.push(`${service.name}: ${service.price}.`);
    else if (asksPrice) answers.push(`${service.name} se cotiza por trabajo; el equipo le dará un precio.`);
  }
  if (asksPrice && mentioned.length === 0) {
    const priced = facts.services.filter((s) => s.price).slice(0, 3);
    if (priced.length > 0) related.push(`Precios: ${listOf(priced.map((s) => `${s.name.toLowerCase()} ${s.price}`))}.`);
  }
  if (
    /\b(?:horario|horarios|abren|cierran|abierto|cerrado|fin de semana|sabado|domingo|hoy)\b/.test(asked) &&
    facts.hours
  )
    answers.push(`Horario: ${facts.hours}.`);
  // Asked whether they text a machine, they are told so.
  if (/\b(?:quien es|quien eres|quien habla|bot|robot|automatico|persona real|maquina)\b/.test(asked))
    answers.push(`Soy ${facts.botName}, el asistente automático de mensajes de ${facts.businessName}.`);
  const noteWords = new Set(words(facts.notes ?? ''));
  if (facts.notes && [...askedWords].some((w) => w.length >= 5 && noteWords.has(w))) answers.push(facts.notes.trim());
  return { answers, related };
}

function offerSlots(request: ReplyRequest, tail: string[]): string {
  const slots = (request.offeredSlots ?? []).slice(0, 3);
  if (slots.length === 0)
    return fit(
      [`No veo horarios libres ahora. Alguien de ${request.facts.businessName} le escribirá para buscar uno.`],
      [],
      tail,
    );
  if (slots.length === 1)
    return fit([`El próximo horario libre es ${slots[0]}. Responda 1 para reservarlo.`], [], tail);
  const numbered = slots.map((s, i) => `${i + 1}) ${s}`).join('; ');
  const choices = slots.length === 2 ? '1 o 2' : '1, 2 o 3';
  return fit([`Horarios libres: ${numbered}. Responda ${choices} para reservar.`], [], tail);
}

/** The template writer's reply in Spanish, for every purpose. */
export function spanishReply(request: ReplyRequest): string {
  const { facts } = request;
  const hola = request.leadFirstName ? `Hola ${request.leadFirstName}, ` : 'Hola, ';
  const tail = request.mustIncludeOptOut ? [OPT_OUT] : [];
  switch (request.purpose) {
    case 'first_reply':
      return fit(
        [
          `${hola}soy ${facts.botName} de ${facts.businessName}. ¡Gracias por escribir! ¿Agendamos una visita? Responda CITA y le envío horarios.`,
        ],
        [serviceLine(facts)],
        [OPT_OUT],
      );
    case 'follow_up':
      return fit(
        [
          `${hola}${facts.botName} de ${facts.businessName} otra vez. ¿Aún necesita ayuda? Responda CITA para ver horarios o pregúnteme.`,
        ],
        [],
        tail,
      );
    case 'offer_slots':
      return offerSlots(request, tail);
    case 'confirm_booking':
      return fit(
        [
          `Cita confirmada con ${facts.businessName}: ${request.offeredSlots?.[0] ?? 'la hora elegida'}. Para cambiarla, responda CAMBIAR; para cancelarla, "cancelar mi cita".`,
        ],
        [],
        tail,
      );
    default: {
      const { answers, related } = answerFromFacts(request);
      const head =
        answers.length > 0
          ? [answers[0]!]
          : [`¡Gracias por su mensaje! Alguien de ${facts.businessName} le responderá pronto.`];
      return fit(head, [...answers.slice(1), ...related, 'Responda CITA para ver horarios.'], tail);
    }
  }
}
