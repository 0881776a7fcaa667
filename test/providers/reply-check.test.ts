import { SegmentedMessage } from 'sms-segments-calculator';
import { describe, expect, it } from 'vitest';
import type { BusinessFacts } from '../../domain/business-facts';
import { checkReply, REPLY_PROBLEMS, segmentsOf, withGsmPunctuation } from '../../domain/reply-check';

const facts: BusinessFacts = {
  businessName: 'Rivera Plumbing',
  botName: 'Ava',
  hours: 'Mon–Fri 08:00–17:00, Sat 9am–1pm',
  services: [
    { name: 'Drain cleaning', durationMinutes: 60, price: '$149' },
    { name: 'Water heater repair', durationMinutes: 120, price: 'from $1,250.00' },
    { name: 'Furnace tune-up', durationMinutes: 90, price: null },
  ],
};
const slots = ['Tue Mar 3, 9:00 AM', 'Tue Mar 3, 1:30 PM', 'Wed Mar 4, 10:00 AM'];
const later = { facts, offeredSlots: slots, isFirstMessage: false };
const first = { facts, offeredSlots: [], isFirstMessage: true };

const problemsOf = (verdict: ReturnType<typeof checkReply>) => (verdict.ok ? [] : verdict.problems);

describe('checkReply', () => {
  it('passes a grounded first message that names the bot and says how to opt out', () => {
    expect(
      checkReply(
        'Hi Dana, this is Ava with Rivera Plumbing. Drain cleaning is $149. Reply BOOK for times. Reply STOP to opt out.',
        first,
      ),
    ).toEqual({ ok: true });
  });

  it('refuses an invented price, in dollars or in words', () => {
    expect(problemsOf(checkReply('Drain cleaning is just $99 this week!', later))).toEqual(['unknown_price']);
    expect(problemsOf(checkReply('A tune-up runs about 120 dollars.', later))).toEqual(['unknown_price']);
    // The stated price beside an invented one: the invented one alone is refused.
    expect(problemsOf(checkReply('Drain cleaning is $149, or $99 on Tuesdays.', later))).toEqual(['unknown_price']);
  });

  it('accepts the prices the facts state, however they are written', () => {
    expect(checkReply('Drain cleaning is $149.00 and water heater repair starts at $1,250.', later)).toEqual({
      ok: true,
    });
    expect(checkReply('Water heater repair is from 1250 dollars.', later)).toEqual({ ok: true });
  });

  it('refuses an invented time', () => {
    expect(problemsOf(checkReply('We can be there at 3pm today.', later))).toEqual(['unknown_time']);
    expect(problemsOf(checkReply('How about 15:00?', later))).toEqual(['unknown_time']);
    expect(problemsOf(checkReply('Does 3:30 PM work?', later))).toEqual(['unknown_time']);
  });

  it('accepts times from the offered slots and the hours, in any spelling', () => {
    expect(checkReply('Reply 1 for 9:00 AM, 2 for 1:30pm or 3 for 10 am.', later)).toEqual({ ok: true });
    expect(checkReply("We're open until 5pm on weekdays and 9:00-13:00 on Saturday.", later)).toEqual({ ok: true });
  });

  it('refuses a text longer than two SMS segments', () => {
    const long = 'Thanks for reaching out to Rivera Plumbing. '.repeat(8);
    expect(segmentsOf(long)).toBe(3);
    expect(problemsOf(checkReply(long, later))).toEqual(['too_long']);
  });

  it('counts plain ASCII texts exactly as the segment library does, at every length around the boundaries', () => {
    const alphabet = 'abcXYZ019 .,!?\'"#%&()*+-/:;<=>@$_\n';
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const length of [1, 2, 70, 153, 159, 160, 161, 305, 306, 307, 459, 460, 800]) {
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect({ length, segments: segmentsOf(text) }).toEqual({
        length,
        segments: new SegmentedMessage(text).segmentsCount,
      });
    }
    // Extension characters take two septets and backticks are not GSM-7 at all: the library counts those.
    for (const text of ['{'.repeat(100), `${'a'.repeat(159)}~`, `${'a'.repeat(100)}\``, '']) {
      expect(segmentsOf(text)).toBe(new SegmentedMessage(text).segmentsCount);
    }
  });

  it('counts UCS-2 texts by their smaller segments', () => {
    const gsm = 'a'.repeat(200);
    // One emoji makes the whole text UCS-2: 67 characters a segment instead of 153.
    const ucs2 = `${'a'.repeat(150)}😀`;
    expect(segmentsOf(gsm)).toBe(2);
    expect(segmentsOf(ucs2)).toBe(3);
    expect(checkReply(gsm, later)).toEqual({ ok: true });
    expect(problemsOf(checkReply(ucs2, later))).toEqual(['too_long']);
  });

  it('needs the bot by name in the first message, as a word', () => {
    expect(problemsOf(checkReply('Hi, we have availability this week. Reply STOP to opt out.', first))).toEqual([
      'no_bot_name',
    ]);
    expect(checkReply('Hi, AVA here from Rivera Plumbing. Reply STOP to opt out.', first)).toEqual({ ok: true });
  });

  it('needs opt-out wording in the first message, and "stop by" is not that', () => {
    expect(problemsOf(checkReply('Hi, this is Ava. We can stop by this week.', first))).toEqual(['no_opt_out']);
    expect(checkReply('Hi, this is Ava. Text STOP to unsubscribe.', first)).toEqual({ ok: true });
    expect(checkReply('Hi, this is Ava. We can stop by this week.', later)).toEqual({ ok: true });
  });

  it('refuses an empty reply', () => {
    expect(problemsOf(checkReply('  ', later))).toEqual(['empty']);
  });

  it('gives every rule it broke, once each, as codes that quote nothing from the text', () => {
    const verdict = checkReply(`Hi! $99 at 3pm or $89 at 4pm. ${'More words here. '.repeat(20)}`, first);
    expect(verdict).toEqual({
      ok: false,
      problems: ['too_long', 'unknown_price', 'unknown_time', 'no_bot_name', 'no_opt_out'],
    });
    for (const code of problemsOf(verdict)) expect(REPLY_PROBLEMS[code]).toMatch(/^the /);
  });
});

describe('withGsmPunctuation', () => {
  it('keeps a text with typographic punctuation in the GSM alphabet', () => {
    const typographic = `We’re open Mon–Fri — see you soon… “Ava”${'.'.repeat(120)}`;
    expect(segmentsOf(typographic)).toBe(3);
    const plain = withGsmPunctuation(typographic);
    expect(plain.startsWith(`We're open Mon-Fri - see you soon... "Ava"`)).toBe(true);
    expect(segmentsOf(plain)).toBe(2);
  });
});
