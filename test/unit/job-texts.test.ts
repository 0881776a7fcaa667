import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../domain/language';
import { checkReply, segmentsOf } from '../../domain/reply-check';
import type { TemplateContext } from '../../domain/sms-templates';
import { fixedTextsIn } from '../../domain/sms-templates-by-language';
import { canMoveJob, jobOf } from '../../workflows/lead/job';

const LONG_NAME = 'Rivera Plumbing, Heating & Air Conditioning of Greater Brooklyn and Queens LLC';
const base = { botName: 'Ava', contactPhone: null, contactEmail: null };
const contexts: TemplateContext[] = [
  { ...base, businessName: 'Quick Fix', technician: 'Sam', etaMinutes: 25 },
  { ...base, businessName: LONG_NAME, technician: 'Maximiliano-Bartolomé', etaMinutes: 600 },
  { ...base, businessName: LONG_NAME },
];
const facts = (businessName: string) => ({ businessName, botName: 'Ava', hours: '', services: [] });

describe('job texts', () => {
  it.each(
    (['en', 'es'] as const).flatMap((language) =>
      contexts.flatMap((c) =>
        (['on_my_way', 'job_finished'] as const).map((kind) => [language, kind, c.businessName, c] as const),
      ),
    ),
  )('%s %s (%s): two segments at most, the business named, passes the reply check', (language, kind, _name, c) => {
    const text = fixedTextsIn(language).NOTES[kind](c);
    expect(segmentsOf(text)).toBeLessThanOrEqual(2);
    expect(text).toContain(c.businessName);
    expect(checkReply(text, { facts: facts(c.businessName), offeredSlots: [], isFirstMessage: false })).toEqual({
      ok: true,
    });
    if (language === 'es') expect(detectLanguage(text)).toBe('es');
  });

  it('names the technician and the ETA, or says it plainly without them', () => {
    const { NOTES } = fixedTextsIn('en');
    expect(NOTES.on_my_way(contexts[0]!)).toBe('Sam from Quick Fix is on the way, arriving in about 25 min.');
    expect(NOTES.on_my_way({ ...base, businessName: 'Quick Fix' })).toBe(
      'Your technician from Quick Fix is on the way.',
    );
    expect(fixedTextsIn('es').NOTES.on_my_way(contexts[0]!)).toBe(
      'Buenas noticias: Sam de Quick Fix va en camino y llegará en unos 25 min.',
    );
  });
});

describe('job status', () => {
  it('moves forward only: scheduled → en_route → in_progress → finished', () => {
    expect(canMoveJob('scheduled', 'en_route')).toBe(true);
    expect(canMoveJob('scheduled', 'in_progress')).toBe(true);
    expect(canMoveJob('en_route', 'in_progress')).toBe(true);
    expect(canMoveJob('in_progress', 'finished')).toBe(true);
    expect(canMoveJob('scheduled', 'finished')).toBe(false);
    expect(canMoveJob('in_progress', 'en_route')).toBe(false);
    for (const done of ['finished', 'no_show', 'cancelled'] as const)
      expect(canMoveJob(done, 'in_progress')).toBe(false);
  });

  it('is scheduled for a booking nobody marked, and stays as it ended once the booking is gone', () => {
    const booking = {
      appointmentId: 'a1',
      start: '2031-03-04T14:00:00.000Z',
      end: '2031-03-04T15:00:00.000Z',
      remindersSent: [],
      bookedAt: '2031-03-01T10:00:00.000Z',
      version: 1,
    };
    expect(jobOf({ booking: null })).toBeNull();
    expect(jobOf({ booking })).toEqual({ appointmentId: 'a1', status: 'scheduled', updatedAt: booking.bookedAt });
    const old = { appointmentId: 'a0', status: 'finished' as const, updatedAt: '2031-02-01T10:00:00.000Z' };
    expect(jobOf({ booking, job: old })?.status).toBe('scheduled');
    expect(jobOf({ booking: null, job: old })).toBe(old);
  });
});
