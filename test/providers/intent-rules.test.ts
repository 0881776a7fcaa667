import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Intent } from '../../domain/intent-rules';
import { classifyByRules, isOptOutKeyword } from '../../domain/intent-rules';

interface Example {
  text: string;
  intent: Intent;
  slot?: number;
  note?: string;
}

/** A copy of the team's shared/data/inbound-sms.jsonl, kept in the repo so a clean clone anywhere has it. */
const examples: Example[] = readFileSync(new URL('./fixtures/inbound-sms.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as Example);

describe('classifyByRules on every example in inbound-sms.jsonl', () => {
  it('has the examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(50);
  });

  it.each(examples.map((e) => [e.text, e] as const))('%j', (_, example) => {
    const expected =
      example.intent === 'pick_slot' ? { intent: 'pick_slot', slot: example.slot } : { intent: example.intent };
    const hasOpenOffer = example.intent === 'pick_slot';
    // An open booking must not change the answer: a lone CANCEL stays a carrier opt-out.
    for (const hasBooking of [false, true]) {
      expect(classifyByRules(example.text, { hasOpenOffer, hasBooking })).toEqual(expected);
    }
  });

  it('answers the same for texts that are not slot picks while slots are on offer', () => {
    for (const example of examples.filter((e) => e.intent !== 'pick_slot')) {
      expect(classifyByRules(example.text, { hasOpenOffer: true, hasBooking: false }), example.text).toEqual({
        intent: example.intent,
      });
    }
  });
});

describe('carrier opt-out keywords', () => {
  it.each([
    'STOP',
    'stop',
    '  Stop. ',
    'STOPALL',
    'Unsubscribe!',
    'cancel',
    'END',
    'quit',
    'Revoke',
    'OPTOUT',
    'opt out',
    'Opt-Out',
    '"stop"',
  ])('%j is a keyword', (text) => {
    expect(isOptOutKeyword(text)).toBe(true);
    expect(classifyByRules(text, { hasOpenOffer: true, hasBooking: true })).toEqual({ intent: 'opt_out' });
  });

  it.each([
    'Please stop texting me',
    'remove me from your list',
    'stop by tomorrow',
    'I need to cancel my appointment',
    'the end of the pipe is leaking',
    'STOP IT',
    '',
  ])('%j is not a bare keyword', (text) => {
    expect(isOptOutKeyword(text)).toBe(false);
  });
});

describe('plain-language opt-outs beyond the examples', () => {
  it.each([
    'STOP!!! I found someone else',
    'Stop, please',
    'please stop',
    'no more messages please',
    "don't text me anymore",
    'wrong number',
    'take me off this list',
  ])('%j opts out', (text) => {
    expect(classifyByRules(text, { hasOpenOffer: false, hasBooking: false })).toEqual({ intent: 'opt_out' });
  });

  it.each(['Stop by at 3?', 'can your tech stop by friday', 'my water heater is leaking'])(
    '%j is a visit, not an opt-out',
    (text) => {
      expect(classifyByRules(text, { hasOpenOffer: false, hasBooking: false })).toEqual({ intent: 'book' });
    },
  );
});

describe('slot picks', () => {
  it('a bare number is a slot only while slots are on offer', () => {
    expect(classifyByRules('2', { hasOpenOffer: true, hasBooking: false })).toEqual({ intent: 'pick_slot', slot: 2 });
    expect(classifyByRules('2', { hasOpenOffer: false, hasBooking: false }).intent).not.toBe('pick_slot');
  });

  it.each([
    ['second one please', 2],
    ['slot 3', 3],
    ['3rd option works', 3],
    ['#1 please', 1],
  ])('%j picks slot %i', (text, slot) => {
    expect(classifyByRules(text, { hasOpenOffer: true, hasBooking: false })).toEqual({ intent: 'pick_slot', slot });
  });
});

/** Spanish beside the English: the same intents from the words a Spanish-speaking lead writes. */
const spanishExamples: Example[] = readFileSync(new URL('./fixtures/inbound-sms.es.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim().length > 0)
  .map((line) => JSON.parse(line) as Example);

describe('classifyByRules on every Spanish example in inbound-sms.es.jsonl', () => {
  it('covers every intent', () => {
    expect(new Set(spanishExamples.map((e) => e.intent))).toEqual(new Set(examples.map((e) => e.intent)));
  });

  it.each(spanishExamples.map((e) => [e.text, e] as const))('%j', (_, example) => {
    const expected =
      example.intent === 'pick_slot' ? { intent: 'pick_slot', slot: example.slot } : { intent: example.intent };
    const hasOpenOffer = example.intent === 'pick_slot';
    for (const hasBooking of [false, true]) {
      expect(classifyByRules(example.text, { hasOpenOffer, hasBooking })).toEqual(expected);
    }
  });

  it('answers the same for texts that are not slot picks while slots are on offer', () => {
    for (const example of spanishExamples.filter((e) => e.intent !== 'pick_slot')) {
      expect(classifyByRules(example.text, { hasOpenOffer: true, hasBooking: false }), example.text).toEqual({
        intent: example.intent,
      });
    }
  });

  it('"cambiar" alone moves the appointment; "cambiar el calentador" is a job', () => {
    expect(classifyByRules('cambiar', { hasOpenOffer: false, hasBooking: true })).toEqual({ intent: 'reschedule' });
    expect(classifyByRules('quiero cambiar el calentador', { hasOpenOffer: false, hasBooking: false })).toEqual({
      intent: 'book',
    });
  });
});
