import { describe, expect, it } from 'vitest';
import { formatSlot } from '../../activities/booking/slot-format';
import type { BusinessFacts } from '../../domain/business-facts';
import { detectLanguage } from '../../domain/language';
import { checkReply, optOutKeywordAsks, segmentsOf } from '../../domain/reply-check';
import * as spanish from '../../domain/sms-templates.es';
import type { TemplateContext } from '../../domain/sms-templates';
import { fixedTextsIn } from '../../domain/sms-templates-by-language';
import { REPLY_PURPOSES, type ReplyRequest } from '../../providers/ai/ai-writer';
import { replyMessages, replySystemPrompt } from '../../providers/ai/anthropic';
import { createTemplateWriter } from '../../providers/ai/template-writer';

const LONG_NAME = 'Rivera Plumbing, Heating & Air Conditioning of Greater Brooklyn and Queens LLC';

const facts = (businessName: string): BusinessFacts => ({
  businessName,
  botName: 'Ava',
  hours: 'Mon–Fri 08:00–17:00, Sat 09:00–13:00',
  services: [
    { name: 'Destape de drenaje', durationMinutes: 60, price: '$149' },
    { name: 'Instalación de calentador', durationMinutes: 180, price: null },
    { name: 'Revisión de caldera', durationMinutes: 90, price: '$99' },
  ],
  notes: 'Atendemos Brooklyn y Queens.',
});

// What findSlots labels in Spanish: accented weekdays (mié, sáb) make a label UCS-2 on their own.
const SLOTS = [
  formatSlot('2031-03-04T14:00:00Z', 'America/New_York', 'es'),
  formatSlot('2031-03-05T18:30:00Z', 'America/New_York', 'es'),
  formatSlot('2031-03-08T14:00:00Z', 'America/New_York', 'es'),
];

const contexts: TemplateContext[] = [
  { businessName: 'Quick Fix', botName: 'Sam', contactPhone: null, contactEmail: null, when: SLOTS[0] },
  {
    businessName: LONG_NAME,
    botName: 'Ava',
    contactPhone: '+12125550100',
    contactEmail: 'oficina@rivera.example',
    when: SLOTS[2],
  },
];

/** Every Spanish fixed text, for both contexts: a new template joins the walk by being exported. */
function everySpanishText(): Array<[string, string, TemplateContext]> {
  const texts: Array<[string, string, TemplateContext]> = [];
  for (const c of contexts) {
    for (const [name, template] of Object.entries(spanish)) {
      if (typeof template === 'function') texts.push([name, (template as (c: TemplateContext) => string)(c), c]);
    }
    for (const [kind, note] of Object.entries(spanish.NOTES)) texts.push([`NOTES.${kind}`, note(c), c]);
  }
  return texts;
}

describe('Spanish slot labels', () => {
  it('name the day and the 24-hour time in the lead’s zone', () => {
    expect(SLOTS).toEqual(['mar 4 mar, 9:00', 'mié 5 mar, 13:30', 'sáb 8 mar, 9:00']);
  });
});

describe('every Spanish fixed text', () => {
  it('has a Spanish twin for every English one', () => {
    const en = fixedTextsIn('en');
    const es = fixedTextsIn('es');
    expect(Object.keys(es.NOTES).sort()).toEqual(Object.keys(en.NOTES).sort());
    expect(es.HELP).toBe(spanish.HELP);
    expect(fixedTextsIn(undefined)).toBe(en);
  });

  it.each(everySpanishText().map(([name, text, c]) => [`${name} (${c.businessName})`, text, c] as const))(
    '%s fits in two segments, passes the reply check and asks for no opt-out word',
    (_, text, c) => {
      expect(segmentsOf(text)).toBeLessThanOrEqual(2);
      expect(text).toContain(c.businessName);
      const verdict = checkReply(text, { facts: facts(c.businessName), offeredSlots: SLOTS, isFirstMessage: false });
      expect(verdict).toEqual({ ok: true });
      expect(optOutKeywordAsks(text)).toEqual([]);
    },
  );

  it('keeps the accents when they fit, and drops only the ones GSM-7 lacks when they do not', () => {
    expect(spanish.NOTES.cancelled(contexts[0]!)).toBe(
      'Su cita con Quick Fix quedó cancelada. Escríbanos cuando quiera para agendar otra.',
    );
    const long = spanish.NOTES.missed_call(contexts[1]!);
    expect(long).toBe(
      `Perdón, no pudimos atender su llamada. ¿En qué podemos ayudarle? Soy Ava de ${LONG_NAME}. Responda STOP para darse de baja.`
        .replace('ó', 'o')
        .replace('é', 'é'),
    );
    expect(segmentsOf(long)).toBe(2);
  });

  it('the missed-call text is a valid first message: the bot’s name and STOP', () => {
    for (const c of contexts) {
      const text = spanish.NOTES.missed_call(c);
      const first = { facts: { ...facts(c.businessName), botName: c.botName }, offeredSlots: [], isFirstMessage: true };
      expect(checkReply(text, first)).toEqual({ ok: true });
    }
  });

  it('opt-out and help answers say STOP in Spanish, HELP names the contacts', () => {
    const [short, long] = contexts;
    expect(spanish.OPT_OUT_CONFIRMATION(short!)).toBe(
      'Quick Fix: no recibirá más mensajes nuestros. Responda START para volver a recibirlos.',
    );
    expect(spanish.HELP(long!)).toContain('+12125550100 o oficina@rivera.example');
    expect(spanish.HELP(long!)).toContain('Responda STOP para darse de baja.');
  });
});

describe('the template writer in Spanish', () => {
  const requests = (): Array<[string, ReplyRequest]> => {
    const out: Array<[string, ReplyRequest]> = [];
    const questions = ['¿Cuánto cuesta el destape de drenaje?', '¿Qué horario tienen?', '¿eres un robot?', 'hola'];
    for (const name of ['Quick Fix', LONG_NAME])
      for (const purpose of REPLY_PURPOSES)
        for (const mustIncludeOptOut of [true, false])
          for (const offered of [0, 1, 2, 3])
            for (const question of questions)
              out.push([
                `${name.slice(0, 12)} ${purpose} opt-out=${mustIncludeOptOut} slots=${offered} ${question}`,
                {
                  purpose,
                  facts: facts(name),
                  leadFirstName: offered % 2 === 0 ? 'María' : undefined,
                  conversation: [{ from: 'lead', text: question }],
                  offeredSlots: SLOTS.slice(0, offered),
                  mustIncludeOptOut,
                  language: 'es',
                },
              ]);
    return out;
  };

  it('every purpose, slot count and question: within two segments, passes the reply check', async () => {
    const writer = createTemplateWriter();
    const refused: string[] = [];
    for (const [name, request] of requests()) {
      const { text } = await writer.writeReply(request);
      // As in English, the first reply is the first message that names the bot; any first message says STOP.
      const verdict = checkReply(text, {
        facts: request.facts,
        offeredSlots: request.offeredSlots ?? [],
        isFirstMessage: request.purpose === 'first_reply',
      });
      const optOut = !request.mustIncludeOptOut || text.endsWith('Responda STOP para darse de baja.');
      if (!verdict.ok || !optOut || optOutKeywordAsks(text).length > 0 || detectLanguage(text) !== 'es')
        refused.push(`${name}: ${text} ${JSON.stringify(verdict)}`);
    }
    expect(refused).toEqual([]);
  });

  it('writes Spanish for each purpose', async () => {
    const writer = createTemplateWriter();
    const base = { facts: facts('Quick Fix'), conversation: [], mustIncludeOptOut: false, language: 'es' as const };
    const first = await writer.writeReply({ ...base, purpose: 'first_reply', leadFirstName: 'María' });
    // The services line is kept, written without the accents GSM-7 lacks, rather than dropped.
    expect(first.text).toBe(
      'Hola Maria, soy Ava de Quick Fix. ¡Gracias por escribir! ¿Agendamos una visita? Responda CITA y le envio horarios. Hacemos destape de drenaje, instalacion de calentador y revision de caldera. Responda STOP para darse de baja.',
    );
    expect(segmentsOf(first.text)).toBe(2);
    const offer = await writer.writeReply({ ...base, purpose: 'offer_slots', offeredSlots: SLOTS });
    expect(offer.text).toBe(
      'Horarios libres: 1) mar 4 mar, 9:00; 2) mié 5 mar, 13:30; 3) sáb 8 mar, 9:00. Responda 1, 2 o 3 para reservar.',
    );
    const price = await writer.writeReply({
      ...base,
      purpose: 'answer',
      conversation: [{ from: 'lead', text: '¿Cuánto cuesta el destape de drenaje?' }],
    });
    expect(price.text).toMatch(/^Destape de drenaje: \$149\./);
    const english = await writer.writeReply({ ...base, language: 'en', purpose: 'follow_up' });
    expect(english.text).toMatch(/^Hi, Ava from Quick Fix again\./);
  });
});

describe('the AI instructions in Spanish', () => {
  it('tell the model to write Spanish, the Spanish way out and the words to ask for', () => {
    const system = replySystemPrompt(facts('Quick Fix'), 'es');
    expect(system).toContain('Write in Spanish');
    expect(system).toContain('"Responda STOP para darse de baja"');
    expect(system).toContain('"cancelar mi cita"');
    expect(replySystemPrompt(facts('Quick Fix'))).not.toContain('Spanish');
    const turns = replyMessages({
      purpose: 'confirm_booking',
      facts: facts('Quick Fix'),
      conversation: [{ from: 'lead', text: 'la primera' }],
      offeredSlots: [SLOTS[0]!],
      mustIncludeOptOut: true,
      language: 'es',
    });
    const instruction = turns.at(-1)!.content;
    expect(instruction).toContain('Write the text in Spanish.');
    expect(instruction).toContain('reply CAMBIAR');
    expect(instruction).toContain('Include "Responda STOP para darse de baja".');
    expect(optOutKeywordAsks(system)).toEqual([]);
    expect(optOutKeywordAsks(instruction)).toEqual([]);
  });
});

describe('language detection', () => {
  it.each([
    ['Hola, necesito un plomero', 'es'],
    ['tengo una fuga en la cocina', 'es'],
    ['¿Cuánto cuesta?', 'es'],
    ['gracias', 'es'],
    ['Sí', 'es'],
    ['mañana a las 9', 'es'],
    ['PARAR', 'es'],
    ['Hi, I need a plumber for my water heater', 'en'],
    ['Can you come tomorrow?', 'en'],
  ] as const)('%j is %s', (text, language) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it.each(['2', 'OK', 'STOP', 'yes', 'thanks', 'Dana', '', 'Si'])('%j says nothing either way', (text) => {
    expect(detectLanguage(text)).toBeNull();
  });
});
