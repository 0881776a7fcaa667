import { APIConnectionTimeoutError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/load-config';
import { createAnthropicWriter, PROMPT_VERSION } from '../../providers/ai/anthropic';
import type { BusinessFacts, ReplyRequest } from '../../providers/ai/ai-writer';
import { checkReply } from '../../domain/reply-check';
import {
  apiKeyOf,
  defaultAnthropicReply,
  messagesText,
  startAnthropicFake,
  systemText,
  type AnthropicFake,
} from '../fakes/anthropic-fake';

const MODEL = 'claude-test-model';
const KEY = 'sk-ant-test-key';

const facts: BusinessFacts = {
  businessName: 'Rivera Plumbing',
  botName: 'Ava',
  hours: 'Mon–Fri 08:00–17:00, Sat 09:00–13:00',
  services: [
    { name: 'Drain cleaning', durationMinutes: 60, price: '$149' },
    { name: 'Water heater inspection', durationMinutes: 90, price: null },
  ],
  notes: 'We serve Brooklyn and Queens. Licensed master plumber #12345.',
};

// The lead as the rest of leadflow knows them; only the first name may reach the model.
const lead = { firstName: 'Dana', lastName: 'Whitfield', phone: '+14155550142', email: 'dana.whitfield@example.com' };

let fake: AnthropicFake;
const writer = () => createAnthropicWriter({ apiKey: KEY, baseURL: fake.url, model: MODEL, timeoutMs: 2_000 });

beforeAll(async () => {
  fake = await startAnthropicFake({ apiKey: KEY });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.bodies.length = 0;
  fake.setDelay(0);
  fake.setReply(() => 'Hi Dana, this is Ava with Rivera Plumbing. Want me to send open times? Reply STOP to opt out.');
});

describe('Anthropic writer', () => {
  it('the default model is one the SDK does not call deprecated (claude-sonnet-4-5 reached end-of-life on 2026-11-30)', async () => {
    const model = loadConfig({}).ANTHROPIC_MODEL;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const reply = await createAnthropicWriter({ apiKey: KEY, baseURL: fake.url, model, timeoutMs: 2_000 }).writeReply(
        {
          purpose: 'first_reply',
          facts,
          conversation: [],
          mustIncludeOptOut: true,
        },
      );
      expect(reply.model).toBe(model);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it('writes a grounded first reply from the business facts, with no phone or email in the request', async () => {
    const request: ReplyRequest = {
      purpose: 'first_reply',
      facts,
      leadFirstName: lead.firstName,
      conversation: [],
      mustIncludeOptOut: true,
    };
    const reply = await writer().writeReply(request);

    expect(reply).toEqual({
      text: 'Hi Dana, this is Ava with Rivera Plumbing. Want me to send open times? Reply STOP to opt out.',
      model: MODEL,
      promptVersion: PROMPT_VERSION,
    });
    expect(checkReply(reply.text, { facts, offeredSlots: [], isFirstMessage: true })).toEqual({ ok: true });

    const [req] = fake.requests;
    expect(apiKeyOf(req!.headers)).toBe(KEY);
    expect(req?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const body = fake.bodies[0]!;
    expect(body.model).toBe(MODEL);
    const system = systemText(body);
    for (const fact of [
      'Rivera Plumbing',
      'Ava',
      'Mon–Fri 08:00–17:00, Sat 09:00–13:00',
      'Drain cleaning',
      '$149',
      'Water heater inspection',
      'Brooklyn and Queens',
    ]) {
      expect(system).toContain(fact);
    }
    expect(system).toMatch(/300 characters/);
    expect(system).toMatch(/Reply STOP to opt out/);
    expect(messagesText(body)).toContain('Dana');
    expect(messagesText(body)).toMatch(/Reply STOP to opt out/);

    expect(req?.rawBody).toContain(lead.firstName);
    for (const secret of [lead.lastName, lead.phone, lead.phone.slice(2), lead.email])
      expect(req?.rawBody).not.toContain(secret);
    expect(req?.rawBody).not.toMatch(/\+?\d{10,}/);
    expect(req?.rawBody).not.toMatch(/[\w.]+@[\w.]+\.\w+/);
  });

  it('sends the conversation as alternating turns that start with the lead and end with the instruction', async () => {
    await writer().writeReply({
      purpose: 'offer_slots',
      facts,
      leadFirstName: 'Dana',
      conversation: [
        { from: 'business', text: 'Hi Dana, this is Ava with Rivera Plumbing.' },
        { from: 'business', text: 'Still need a hand?' },
        { from: 'lead', text: 'Yes, my kitchen sink is clogged.' },
        { from: 'lead', text: 'Can someone come tomorrow?' },
      ],
      offeredSlots: ['Tue 9:00 AM', 'Tue 1:00 PM', 'Wed 10:00 AM'],
      mustIncludeOptOut: false,
    });
    const { messages } = fake.bodies[0]!;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]?.content).toBe('Hi Dana, this is Ava with Rivera Plumbing.\n\nStill need a hand?');
    const last = String(messages[2]?.content);
    expect(last).toContain('Yes, my kitchen sink is clogged.\n\nCan someone come tomorrow?');
    expect(last).toContain('1) Tue 9:00 AM\n2) Tue 1:00 PM\n3) Wed 10:00 AM');
    expect(last).not.toContain('STOP');
  });

  it('gives up when the model is slower than the timeout', async () => {
    fake.setDelay(1_000);
    const slow = createAnthropicWriter({ apiKey: KEY, baseURL: fake.url, model: MODEL, timeoutMs: 200 });
    const started = Date.now();
    await expect(
      slow.writeReply({ purpose: 'follow_up', facts, conversation: [], mustIncludeOptOut: false }),
    ).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(900);
    expect(fake.requests).toHaveLength(1);
  });

  it('does not retry API errors itself', async () => {
    fake.failNext(1, { status: 529, type: 'overloaded_error' });
    await expect(
      writer().writeReply({
        purpose: 'answer',
        facts,
        conversation: [{ from: 'lead', text: 'Price?' }],
        mustIncludeOptOut: false,
      }),
    ).rejects.toMatchObject({ status: 529 });
    expect(fake.requests).toHaveLength(1);
  });

  it('classifies into an allowed intent, with the slot for pick_slot', async () => {
    fake.setReply(() => '{"intent": "pick_slot", "slot": 2}');
    expect(await writer().classify({ text: 'the second one works', hasOpenOffer: true, hasBooking: false })).toEqual({
      intent: 'pick_slot',
      slot: 2,
    });
    const body = fake.bodies[0]!;
    expect(messagesText(body)).toContain('the second one works');
    expect(systemText(body)).toContain('pick_slot');

    fake.setReply(() => '```json\n{"intent":"question","slot":null}\n```');
    expect(await writer().classify({ text: 'Do you do weekends?', hasOpenOffer: false, hasBooking: false })).toEqual({
      intent: 'question',
    });
  });

  it("the fake's default answers pass the reply check and the classifier, as benchmarks rely on", async () => {
    fake.setReply(defaultAnthropicReply);
    const reply = await writer().writeReply({
      purpose: 'first_reply',
      facts,
      conversation: [],
      mustIncludeOptOut: true,
    });
    expect(checkReply(reply.text, { facts, offeredSlots: [], isFirstMessage: true })).toEqual({ ok: true });
    expect(await writer().classify({ text: 'hello', hasOpenOffer: false, hasBooking: false })).toEqual({
      intent: 'other',
    });
  });

  it.each([
    ['not JSON', 'I think they want to book'],
    ['an unknown intent', '{"intent":"buy_now"}'],
    ['pick_slot without a slot', '{"intent":"pick_slot"}'],
    ['a non-integer slot', '{"intent":"pick_slot","slot":"two"}'],
  ])('rejects a classification that is %s', async (_, answer) => {
    fake.setReply(() => answer);
    await expect(writer().classify({ text: '2', hasOpenOffer: true, hasBooking: false })).rejects.toThrow(/classifier/);
  });
});
