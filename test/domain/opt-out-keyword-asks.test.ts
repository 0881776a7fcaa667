import { describe, expect, it } from 'vitest';
import type { BusinessFacts } from '../../domain/business-facts';
import { classifyByRules, isOptOutKeyword } from '../../domain/intent-rules';
import { checkReply, optOutKeywordAsks } from '../../domain/reply-check';
import * as fixedTexts from '../../domain/sms-templates';
import { NOTES, type TemplateContext } from '../../domain/sms-templates';
import { REPLY_PURPOSES, type ReplyRequest } from '../../providers/ai/ai-writer';
import {
  classifySystemPrompt,
  classifyUserMessage,
  replyMessages,
  replySystemPrompt,
} from '../../providers/ai/anthropic';
import { createTemplateWriter } from '../../providers/ai/template-writer';

/**
 * A lone CANCEL, END or QUIT is a carrier opt-out: a lead who answers one is opted out of
 * every text, whatever the text asked it for. No automated text may ask for one except to
 * opt out.
 */

const plumber: BusinessFacts = {
  businessName: 'Rivera Plumbing & Heating',
  botName: 'Ava',
  hours: 'Mon–Fri 08:00–17:00, Sat 09:00–13:00',
  services: [
    { name: 'Drain cleaning', durationMinutes: 60, price: '$149' },
    { name: 'Furnace tune-up', durationMinutes: 90, price: null },
  ],
  notes: 'We serve Brooklyn and Queens.',
};
const bare: BusinessFacts = { businessName: 'Quick Fix', botName: 'Sam', hours: '', services: [] };
const slots = ['Tue Mar 3, 9:00 AM', 'Tue Mar 3, 1:00 PM', 'Wed Mar 4, 10:30 AM'];

const contexts: TemplateContext[] = [
  {
    businessName: 'Rivera Plumbing & Heating',
    botName: 'Ava',
    contactPhone: '+12125550100',
    contactEmail: 'office@rivera.example',
    when: 'Tue Mar 3, 1:00 PM',
  },
  { businessName: 'Quick Fix', botName: 'Sam', contactPhone: null, contactEmail: null, when: 'tomorrow at 9:00 AM' },
];

/** Every exported fixed text (a function of the context) and every note kind, filled in. */
function everyFixedText(): Array<[string, string]> {
  const texts: Array<[string, string]> = [];
  for (const c of contexts) {
    for (const [name, template] of Object.entries(fixedTexts)) {
      // The texts are the UPPER_CASE exports; the module's helpers (lists within two segments) are not texts.
      if (typeof template === 'function' && /^[A-Z][A-Z0-9_]*$/.test(name))
        texts.push([name, (template as (c: TemplateContext) => string)(c)]);
    }
    for (const [kind, note] of Object.entries(NOTES)) texts.push([`NOTES.${kind}`, note(c)]);
  }
  return texts;
}

/** Every purpose, with and without opt-out wording, with 0–3 slots, and answers to a spread of questions. */
function everyRequest(): Array<[string, ReplyRequest]> {
  const questions = ['How much is a drain cleaning?', 'What are your hours?', 'who is this?', 'can I cancel?', 'hi'];
  const requests: Array<[string, ReplyRequest]> = [];
  for (const facts of [plumber, bare]) {
    for (const purpose of REPLY_PURPOSES) {
      for (const mustIncludeOptOut of [true, false]) {
        for (const offered of [0, 1, 2, 3]) {
          for (const question of questions) {
            requests.push([
              `${facts.businessName} ${purpose} opt-out=${mustIncludeOptOut} slots=${offered} "${question}"`,
              {
                purpose,
                facts,
                leadFirstName: offered % 2 === 0 ? 'Dana' : undefined,
                conversation: [{ from: 'lead', text: question }],
                offeredSlots: slots.slice(0, offered),
                mustIncludeOptOut,
              },
            ]);
          }
        }
      }
    }
  }
  return requests;
}

describe('what counts as asking for an opt-out keyword', () => {
  it.each([
    ['Reply RESCHEDULE or CANCEL if plans change.', ['CANCEL']],
    ['Reply BOOK, RESCHEDULE, or CANCEL.', ['CANCEL']],
    ['reply "cancel" to cancel', ['cancel']],
    ['Text END to stop the reminders', ['END']],
    ['Respond with Quit to leave the list', ['Quit']],
    ['Reply STOP if you want the discount', ['STOP']],
    ['Reply YES OR QUIT', ['QUIT']],
  ])('%j asks for %j', (text, keywords) => {
    expect(optOutKeywordAsks(text)).toEqual(keywords);
  });

  it.each([
    'Reply STOP to opt out, HELP for help.',
    'Text STOP to unsubscribe.',
    'Reply 1, 2 or 3 to book.',
    'To move it, reply RESCHEDULE; to cancel, reply "cancel my appointment".',
    'Your appointment is cancelled. Text us anytime if you would like to book again.',
  ])('%j asks for none', (text) => {
    expect(optOutKeywordAsks(text)).toEqual([]);
  });

  it('refuses an AI reply that asks for one', () => {
    const check = { facts: plumber, offeredSlots: [slots[1]!], isFirstMessage: false };
    expect(checkReply('Booked for Tue Mar 3, 1:00 PM! Reply CANCEL if plans change.', check)).toEqual({
      ok: false,
      problems: ['asks_opt_out_keyword'],
    });
  });
});

describe('no automated text asks for a carrier opt-out keyword except to opt out', () => {
  it.each(everyFixedText())('fixed text %s', (_, text) => {
    expect(optOutKeywordAsks(text)).toEqual([]);
  });

  it('walks every fixed text, with and without a time and contact details', () => {
    // 5 top-level texts and 7 notes, for each of the 2 contexts: a new template joins the walk by being exported.
    expect(everyFixedText().length).toBeGreaterThanOrEqual(2 * (5 + Object.keys(NOTES).length));
  });

  it('template writer: every purpose, slot count and question', async () => {
    const writer = createTemplateWriter();
    const asks: string[] = [];
    for (const [name, request] of everyRequest()) {
      const { text } = await writer.writeReply(request);
      const found = optOutKeywordAsks(text);
      if (found.length > 0) asks.push(`${name}: ${text}`);
    }
    expect(asks).toEqual([]);
  });

  it('AI instructions: the system prompts and the instruction turn of every purpose', () => {
    const strings = [
      classifySystemPrompt(),
      classifyUserMessage({ text: 'CANCEL', hasOpenOffer: true, hasBooking: true }),
      ...[plumber, bare].map((facts) => replySystemPrompt(facts)),
      ...everyRequest().flatMap(([, request]) => replyMessages(request).map((turn) => turn.content)),
    ];
    const asks = strings.filter((s) => optOutKeywordAsks(s).length > 0);
    expect(asks).toEqual([]);
    // The AI is told how to ask for a cancellation, and to keep opt-out wording for opting out.
    expect(replySystemPrompt(plumber)).toContain('Reply STOP to opt out');
    expect(replyMessages({ ...everyRequest()[0]![1], purpose: 'confirm_booking' }).at(-1)!.content).toContain(
      '"cancel my appointment"',
    );
  });
});

describe('the words a booked lead is asked for', () => {
  it('the cancellation the confirmation asks for classifies as cancel_booking, not an opt-out', () => {
    const confirmation = fixedTexts.BOOKING_CONFIRMED(contexts[0]!);
    const phrase = /reply "([^"]+)"/.exec(confirmation)![1]!;
    expect(phrase).toBe('cancel my appointment');
    expect(isOptOutKeyword(phrase)).toBe(false);
    expect(classifyByRules(phrase, { hasOpenOffer: false, hasBooking: true })).toEqual({ intent: 'cancel_booking' });
    expect(classifyByRules('RESCHEDULE', { hasOpenOffer: false, hasBooking: true })).toEqual({ intent: 'reschedule' });
  });

  it('a lone CANCEL stays a carrier opt-out, booked or not', () => {
    for (const text of ['CANCEL', 'cancel', ' Cancel. ']) {
      expect(isOptOutKeyword(text)).toBe(true);
      for (const hasBooking of [true, false]) {
        expect(classifyByRules(text, { hasOpenOffer: false, hasBooking })).toEqual({ intent: 'opt_out' });
      }
    }
  });
});
