import { describe, expect, it } from 'vitest';
import type { BusinessFacts, ReplyPurpose, ReplyRequest } from '../../providers/ai/ai-writer';
import { checkReply, segmentsOf } from '../../domain/reply-check';
import { createTemplateWriter, TEMPLATE_PROMPT_VERSION } from '../../providers/ai/template-writer';

const plumber: BusinessFacts = {
  businessName: 'Rivera Plumbing & Heating',
  botName: 'Ava',
  hours: 'Mon–Fri 08:00–17:00, Sat 09:00–13:00',
  services: [
    { name: 'Drain cleaning', durationMinutes: 60, price: '$149' },
    { name: 'Water heater repair', durationMinutes: 120, price: 'from $189' },
    { name: 'Furnace tune-up', durationMinutes: 90, price: null },
  ],
  notes: 'We serve Brooklyn and Queens. Licensed and insured, NY master plumber license.',
};
// A business that writes a lot, to push every template against the two-segment limit.
const wordy: BusinessFacts = {
  businessName: 'Northern Comfort Heating, Ventilation & Air Conditioning Services of Greater Minneapolis',
  botName: 'Maximilian',
  hours: 'Monday through Friday 07:00–19:00, Saturday 08:00–16:00, Sunday emergency calls only',
  services: [
    { name: 'Emergency furnace repair (nights and weekends)', durationMinutes: 120, price: '$249' },
    { name: 'Central air conditioning seasonal maintenance', durationMinutes: 90, price: '$129' },
    { name: 'Ductless mini-split installation consultation', durationMinutes: 60, price: null },
  ],
  notes: 'Serving Minneapolis, St. Paul and the western suburbs since 1987. Licensed, bonded and insured.',
};
const slots = ['Tue Mar 3, 9:00 AM', 'Tue Mar 3, 1:00 PM', 'Wed Mar 4, 10:30 AM'];

const writer = createTemplateWriter();
const write = (request: Partial<ReplyRequest> & { purpose: ReplyPurpose }) =>
  writer.writeReply({ facts: plumber, conversation: [], mustIncludeOptOut: false, ...request });
const verdict = (text: string, request: { facts?: BusinessFacts; offeredSlots?: string[]; first?: boolean } = {}) =>
  checkReply(text, {
    facts: request.facts ?? plumber,
    offeredSlots: request.offeredSlots ?? [],
    isFirstMessage: request.first ?? false,
  });

describe('template writer', () => {
  it('first reply: greets by name, introduces the bot and business, names services, offers to book, says how to opt out', async () => {
    const reply = await write({ purpose: 'first_reply', leadFirstName: 'Dana', mustIncludeOptOut: true });
    expect(reply).toEqual({
      text: "Hi Dana, this is Ava with Rivera Plumbing & Heating. Thanks for reaching out! Want us to book a visit? Reply BOOK and I'll send open times. We handle drain cleaning, water heater repair and furnace tune-up. Reply STOP to opt out.",
      model: 'template',
      promptVersion: TEMPLATE_PROMPT_VERSION,
    });
    expect(verdict(reply.text, { first: true })).toEqual({ ok: true });
  });

  it('offers the slots numbered 1 to 3', async () => {
    const { text } = await write({ purpose: 'offer_slots', offeredSlots: slots });
    expect(text).toBe(
      'Here are the next open times: 1) Tue Mar 3, 9:00 AM; 2) Tue Mar 3, 1:00 PM; 3) Wed Mar 4, 10:30 AM. Reply 1, 2 or 3 to book.',
    );
    expect(verdict(text, { offeredSlots: slots })).toEqual({ ok: true });
  });

  it('asks only for the numbers it offered, and promises no time when there is none', async () => {
    expect((await write({ purpose: 'offer_slots', offeredSlots: slots.slice(0, 2) })).text).toContain(
      'Reply 1 or 2 to book.',
    );
    expect((await write({ purpose: 'offer_slots', offeredSlots: slots.slice(0, 1) })).text).toBe(
      'The next open time is Tue Mar 3, 9:00 AM. Reply 1 to book it.',
    );
    const none = (await write({ purpose: 'offer_slots', offeredSlots: [] })).text;
    expect(none).not.toMatch(/Reply 1/);
    expect(none).toContain('Rivera Plumbing & Heating will text you');
  });

  it('confirms the booked time', async () => {
    const { text } = await write({ purpose: 'confirm_booking', offeredSlots: [slots[1]!] });
    expect(text).toBe(
      'You\'re booked with Rivera Plumbing & Heating for Tue Mar 3, 1:00 PM. To move it, reply RESCHEDULE; to cancel, reply "cancel my appointment".',
    );
  });

  it.each([
    ['How much do you charge for a drain cleaning?', 'Drain cleaning is $149.'],
    ['What are your hours on Saturday', 'Our hours: Mon-Fri 08:00-17:00, Sat 09:00-13:00.'],
    ['do you service Brooklyn', 'We serve Brooklyn and Queens.'],
    ['are you licensed and insured?', 'Licensed and insured'],
    ['Is this a bot?', 'This is Ava, the automated text assistant for Rivera Plumbing & Heating.'],
    ['how much for a furnace tune-up', 'Furnace tune-up is priced per job'],
    ['Is there a fee just to come look at it?', 'Someone from Rivera Plumbing & Heating will get back to you shortly.'],
  ])('answers %j from the facts only', async (question, expected) => {
    const { text } = await write({
      purpose: 'answer',
      conversation: [
        { from: 'business', text: 'Hi, this is Ava.' },
        { from: 'lead', text: question },
      ],
    });
    expect(text).toContain(expected);
    expect(verdict(text)).toEqual({ ok: true });
  });

  it('classifies with the rules', async () => {
    expect(await writer.classify({ text: 'the last one', hasOpenOffer: true, hasBooking: false })).toEqual({
      intent: 'pick_slot',
      slot: 3,
    });
    expect(await writer.classify({ text: 'CANCEL', hasOpenOffer: false, hasBooking: true })).toEqual({
      intent: 'opt_out',
    });
  });

  describe.each([
    ['a plumber', plumber],
    ['a wordy HVAC business', wordy],
  ])('every reply for %s passes the reply check', (_, facts) => {
    const questions = [
      'How much is a tune-up?',
      'What are your hours?',
      'Do you come out to St. Paul?',
      'who is this?',
      'my pipe burst',
    ];
    const requests: Array<{ name: string; request: ReplyRequest }> = [
      ...(['first_reply', 'follow_up', 'offer_slots', 'confirm_booking', 'answer'] as const).flatMap((purpose) =>
        [true, false].map((optOut) => ({
          name: `${purpose}${optOut ? ' with opt-out' : ''}`,
          request: {
            purpose,
            facts,
            leadFirstName: 'Bartholomew',
            conversation: [{ from: 'lead' as const, text: 'I need help with my heating' }],
            offeredSlots: purpose === 'confirm_booking' ? [slots[2]!] : slots,
            mustIncludeOptOut: optOut || purpose === 'first_reply',
          },
        })),
      ),
      ...questions.map((q) => ({
        name: `answer to ${q}`,
        request: {
          purpose: 'answer' as const,
          facts,
          conversation: [{ from: 'lead' as const, text: q }],
          offeredSlots: [],
          mustIncludeOptOut: false,
        },
      })),
    ];

    it.each(requests.map((r) => [r.name, r.request] as const))('%s', async (_, request) => {
      const { text } = await writer.writeReply(request);
      expect(segmentsOf(text)).toBeLessThanOrEqual(2);
      expect(
        checkReply(text, {
          facts,
          offeredSlots: request.offeredSlots ?? [],
          isFirstMessage: request.purpose === 'first_reply',
        }),
      ).toEqual({ ok: true });
      if (request.mustIncludeOptOut) expect(text).toContain('Reply STOP to opt out.');
      else expect(text).not.toContain('STOP');
    });
  });
});
