import { describe, expect, it } from 'vitest';
import { matchService } from '../../domain/service-match';

const SERVICES = [
  { id: 'install', name: 'Water heater install', keywords: ['instalar calentador', 'instalación de calentador'] },
  { id: 'repair', name: 'Water heater repair', keywords: ['reparar calentador', 'no hot water', 'sin agua caliente'] },
  { id: 'drain', name: 'Drain cleaning', keywords: ['clogged drain', 'destapar desagüe', 'desagüe tapado'] },
];
const match = (text: string) => matchService(text, SERVICES);

describe('the service a lead’s words name', () => {
  it.each([
    ['I need a water heater install', 'install'],
    ['Can you install a new water heater on Friday?', 'install'],
    ['water heater installation please', 'install'],
    ['Our water heater needs a repair', 'repair'],
    ['I have no hot water since yesterday', 'repair'],
    ['my drain is clogged', 'drain'],
    ['Drain cleaning', 'drain'],
  ])('English: "%s" → %s', (text, id) => {
    expect(match(text)).toEqual({ kind: 'one', serviceId: id });
  });

  it.each([
    ['Necesito instalar un calentador', 'install'],
    ['Quiero la instalación de un calentador nuevo', 'install'],
    ['¿Pueden reparar el calentador?', 'repair'],
    ['Estamos sin agua caliente', 'repair'],
    ['Hay que destapar el desagüe de la cocina', 'drain'],
    ['El desagüe está tapado', 'drain'],
  ])('Spanish: "%s" → %s', (text, id) => {
    expect(match(text)).toEqual({ kind: 'one', serviceId: id });
  });

  it('takes a word only one service uses as naming it: an answer to "which one?"', () => {
    expect(match('the install')).toEqual({ kind: 'one', serviceId: 'install' });
    expect(match('repair please')).toEqual({ kind: 'one', serviceId: 'repair' });
    expect(match('reparar')).toEqual({ kind: 'one', serviceId: 'repair' });
    expect(match('no, thanks')).toEqual({ kind: 'none' });
  });

  it('is several when the words fit more than one equally, none when they fit nothing', () => {
    expect(match('something is wrong with my water heater')).toEqual({
      kind: 'several',
      serviceIds: ['install', 'repair'],
    });
    expect(match('mi calentador')).toEqual({ kind: 'several', serviceIds: ['install', 'repair'] });
    expect(match('Can someone come out Tuesday?')).toEqual({ kind: 'none' });
    expect(match('¿Cuándo pueden venir?')).toEqual({ kind: 'none' });
    expect(matchService('water heater install', [])).toEqual({ kind: 'none' });
  });
});
