import { describe, expect, it } from 'vitest';
import { parseImportDate, validateRow, type RowContext } from '../../services/imports/import-row';
import { planImport } from '../../services/imports/plan-import';

const ctx: RowContext = { country: 'US', zone: 'America/New_York', now: new Date('2026-12-03T12:00:00Z') };
const consent = {
  consent_text: 'I agree to receive texts from Rivera Plumbing about my appointments.',
  consent_obtained_at: '2024-05-02 10:15',
  consent_method: 'paper form',
};

describe('one row of a customer import', () => {
  it('reads a full row: the phone in E.164 by the business’s country, local dates, the consent record', () => {
    const checked = validateRow(
      {
        name: ' Rosa Delgado ',
        phone: '(212) 555-0142',
        email: 'Rosa@Example.org',
        ...consent,
        appointment_at: '3/14/2025 9:30 AM',
        appointment_service: 'Drain cleaning',
        notes: 'Side gate',
      },
      2,
      ctx,
    );
    expect(checked).toEqual({
      ok: true,
      value: {
        row: 2,
        name: 'Rosa Delgado',
        phone: '+12125550142',
        email: 'rosa@example.org',
        notes: 'Side gate',
        consent: {
          text: consent.consent_text,
          obtainedAt: new Date('2024-05-02T14:15:00Z'),
          method: 'paper form',
        },
        appointment: { at: new Date('2025-03-14T13:30:00Z'), service: 'Drain cleaning' },
      },
    });
  });

  it('imports a row without consent as it is: no consent record (not textable)', () => {
    const checked = validateRow({ name: 'Ida Quist', phone: '+1 415 555 0199' }, 3, ctx);
    expect(checked).toMatchObject({ ok: true, value: { phone: '+14155550199', consent: null, appointment: null } });
  });

  it('names the row and field of every problem', () => {
    const checked = validateRow(
      {
        name: '',
        phone: '555-01',
        email: 'not-an-address',
        consent_text: 'yes',
        appointment_at: 'next tuesday',
      },
      7,
      ctx,
    );
    expect(checked.ok).toBe(false);
    const problems = checked.ok ? [] : checked.problems;
    expect(problems.map((p) => `${p.row} ${p.field}`)).toEqual([
      '7 name',
      '7 phone',
      '7 email',
      '7 consent_text',
      '7 consent_method',
      '7 consent_obtained_at',
      '7 appointment_at',
    ]);
    expect(problems.find((p) => p.field === 'consent_method')!.reason).toMatch(/required when the row records consent/);
    expect(problems.find((p) => p.field === 'consent_text')!.reason).toMatch(/wording/);
  });

  it('refuses a consent claim without its method or time, and dates in the future', () => {
    const noMethod = validateRow(
      { name: 'Al Ruiz', phone: '2125550143', consent_text: consent.consent_text, consent_obtained_at: '2024-01-01' },
      4,
      ctx,
    );
    expect(noMethod).toEqual({
      ok: false,
      problems: [{ row: 4, field: 'consent_method', reason: expect.stringMatching(/how it was obtained/) }],
    });
    const future = validateRow({ name: 'Al Ruiz', phone: '2125550143', appointment_at: '2027-01-05' }, 5, ctx);
    expect(future).toEqual({
      ok: false,
      problems: [{ row: 5, field: 'appointment_at', reason: expect.stringMatching(/in the future/) }],
    });
  });

  it('reads phones without a country code as the business’s country', () => {
    const uk = validateRow({ name: 'Tom Bale', phone: '020 7946 0142' }, 2, { ...ctx, country: 'GB' });
    expect(uk).toMatchObject({ ok: true, value: { phone: '+442079460142' } });
    const asUs = validateRow({ name: 'Tom Bale', phone: '020 7946 0142' }, 2, ctx);
    expect(asUs.ok).toBe(false);
  });

  it('parses ISO dates everywhere and month/day/year only in the US and Canada', () => {
    expect(parseImportDate('2025-03-14T09:30:00Z', ctx)).toEqual(new Date('2025-03-14T09:30:00Z'));
    expect(parseImportDate('2025-03-14', ctx)).toEqual(new Date('2025-03-14T04:00:00Z'));
    expect(parseImportDate('3/14/2025', ctx)).toEqual(new Date('2025-03-14T04:00:00Z'));
    expect(parseImportDate('3/14/2025', { country: 'GB', zone: 'Europe/London' })).toBeNull();
    expect(parseImportDate('14.03.2025', ctx)).toBeNull();
  });
});

describe('planning an import', () => {
  const row = (n: number, over: Partial<Parameters<typeof planImport>[0][number]> = {}) => ({
    row: n,
    name: 'Rosa Delgado',
    phone: '+12125550142',
    email: null,
    notes: null,
    consent: null,
    appointment: null,
    ...over,
  });
  const none = { leads: new Set<string>(), customers: new Set<string>() };

  it('joins rows of one person’s visits into one customer, and flags a repeated row as a duplicate of the first', () => {
    const visit = (iso: string) => ({ at: new Date(iso), service: 'Drain cleaning' });
    const plan = planImport(
      [
        row(2, { appointment: visit('2025-01-02T15:00:00Z') }),
        row(3, { appointment: visit('2025-02-02T15:00:00Z') }),
        row(4, { appointment: visit('2025-02-02T15:00:00Z') }),
        row(5, { name: 'Someone Else' }),
      ],
      none,
    );
    expect(plan.customers).toHaveLength(1);
    expect(plan.customers[0]!.appointments).toHaveLength(2);
    expect(plan.problems).toEqual([
      { row: 4, field: 'phone', reason: 'duplicate of row 2' },
      { row: 5, field: 'phone', reason: 'duplicate of row 2' },
    ]);
  });

  it('flags a phone that is already a lead or an imported customer', () => {
    const plan = planImport([row(2), row(3, { phone: '+14155550199' })], {
      leads: new Set(['+12125550142']),
      customers: new Set(['+14155550199']),
    });
    expect(plan.customers).toEqual([]);
    expect(plan.problems.map((p) => [p.row, p.field, p.reason])).toEqual([
      [2, 'phone', 'is already a lead of the business (duplicate)'],
      [3, 'phone', 'is already an imported customer (duplicate)'],
    ]);
  });
});
