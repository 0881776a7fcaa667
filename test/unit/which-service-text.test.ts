import { describe, expect, it } from 'vitest';
import { segmentsOf } from '../../domain/reply-check';
import { fixedTextsIn } from '../../domain/sms-templates-by-language';

const context = (services: string[], businessName = 'Rivera Plumbing') => ({
  businessName,
  botName: 'Ava',
  contactPhone: null,
  contactEmail: null,
  services,
});

describe('the "which service?" text', () => {
  it('lists the services in English and Spanish', () => {
    const services = ['Drain cleaning', 'Water heater install', 'Leak repair'];
    expect(fixedTextsIn('en').NOTES.which_service(context(services))).toBe(
      'Rivera Plumbing: happy to help! Which service do you need: Drain cleaning, Water heater install or Leak repair?',
    );
    expect(fixedTextsIn('es').NOTES.which_service(context(services))).toBe(
      'Rivera Plumbing: ¡con gusto! ¿Qué servicio necesita: Drain cleaning, Water heater install o Leak repair?',
    );
  });

  it('drops names from the end rather than going past two segments', () => {
    const many = Array.from({ length: 12 }, (_, i) => `Very specific plumbing service number ${i + 1}`);
    const longName = 'Rivera Plumbing, Heating & Air Conditioning of Greater Brooklyn and Queens LLC';
    for (const language of ['en', 'es'] as const) {
      const text = fixedTextsIn(language).NOTES.which_service(context(many, longName));
      expect(segmentsOf(text)).toBeLessThanOrEqual(2);
      expect(text).toContain('number 1,');
      expect(text).not.toContain('number 12');
      expect(segmentsOf(fixedTextsIn(language).NOTES.which_service(context([], longName)))).toBe(1);
    }
  });
});
