import type { CountryCode } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { normalisePhone } from '../../domain/phone';

/** The columns an import file may have (header row, any case); name and phone are required. */
export const IMPORT_COLUMNS = [
  'name',
  'phone',
  'email',
  'consent_text',
  'consent_obtained_at',
  'consent_method',
  'appointment_at',
  'appointment_service',
  'notes',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: ImportColumn[] = ['name', 'phone'];

/** One problem with one row, named by the file's line (the header is line 1) and the column. */
export interface RowProblem {
  row: number;
  field: ImportColumn | '(row)';
  reason: string;
}

export interface ConsentRecordInput {
  text: string;
  obtainedAt: Date;
  /** How it was obtained, in the business's words (paper form, website form, verbal …). */
  method: string;
}

export interface ImportRow {
  row: number;
  name: string;
  /** E.164 */
  phone: string;
  email: string | null;
  notes: string | null;
  consent: ConsentRecordInput | null;
  appointment: { at: Date; service: string | null } | null;
}

export interface RowContext {
  /** Numbers without a country code are read as this country's. */
  country: CountryCode;
  /** Dates without an offset are the business's local time. */
  zone: string;
  now: Date;
}

const MAX = { name: 200, email: 320, consent_text: 2000, consent_method: 100, appointment_service: 200, notes: 2000 };
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// "yes" says that someone agreed, not to what: a consent record keeps the wording they saw.
const BARE_YES = /^(y|yes|true|1|x|✓|ok|agreed)$/i;
const EARLIEST = DateTime.fromISO('1900-01-01T00:00:00Z');
const zEmail = z.email();

const US_FORMATS = ['M/d/yyyy', 'M/d/yyyy H:mm', 'M/d/yyyy h:mm a', 'M/d/yyyy h:mma', 'M/d/yy', 'M/d/yy H:mm'];

/**
 * A date as spreadsheets export them: ISO 8601 (with or without time and offset), or in the
 * US and Canada month/day/year. Without an offset it is the business's local time.
 */
export function parseImportDate(value: string, ctx: Pick<RowContext, 'country' | 'zone'>): Date | null {
  const iso = DateTime.fromISO(value.replace(' ', 'T'), { zone: ctx.zone, setZone: false });
  if (iso.isValid) return iso.toJSDate();
  if (ctx.country === 'US' || ctx.country === 'CA') {
    for (const format of US_FORMATS) {
      const d = DateTime.fromFormat(value, format, { zone: ctx.zone, locale: 'en-US' });
      if (d.isValid) return d.toJSDate();
    }
  }
  return null;
}

function pastDate(
  value: string,
  field: ImportColumn,
  ctx: RowContext,
  problems: Array<Omit<RowProblem, 'row'>>,
  what: string,
): Date | null {
  const at = parseImportDate(value, ctx);
  if (!at) {
    problems.push({ field, reason: 'is not a date (use 2025-03-14 or 2025-03-14 09:30, or 3/14/2025)' });
    return null;
  }
  if (at.getTime() < EARLIEST.toMillis()) {
    problems.push({ field, reason: 'is before 1900' });
    return null;
  }
  if (at.getTime() > ctx.now.getTime()) {
    problems.push({ field, reason: `is in the future (${what})` });
    return null;
  }
  return at;
}

/**
 * One data row of an import file, checked on its own: the phone parses, the email is an
 * address, a consent claim carries its whole record (text, time, how obtained), dates are
 * dates in the past. Duplicates need the other rows and the database (validate-import.ts).
 */
export function validateRow(
  raw: Partial<Record<ImportColumn, string>>,
  row: number,
  ctx: RowContext,
): { ok: true; value: ImportRow } | { ok: false; problems: RowProblem[] } {
  const problems: Array<Omit<RowProblem, 'row'>> = [];
  const get = (c: ImportColumn) => (raw[c] ?? '').trim();
  for (const c of IMPORT_COLUMNS) {
    const v = get(c);
    if (CONTROL_CHARS.test(v)) problems.push({ field: c, reason: 'must not contain control characters' });
    const max = MAX[c as keyof typeof MAX];
    if (max && v.length > max) problems.push({ field: c, reason: `must be at most ${max} characters` });
  }

  const name = get('name');
  if (!name) problems.push({ field: 'name', reason: 'is required' });

  let phone = '';
  const rawPhone = get('phone');
  if (!rawPhone) problems.push({ field: 'phone', reason: 'is required' });
  else {
    const parsed = normalisePhone(rawPhone, ctx.country);
    if (parsed.ok) phone = parsed.e164;
    else problems.push({ field: 'phone', reason: parsed.reason });
  }

  const email = get('email');
  if (email && !zEmail.safeParse(email).success) problems.push({ field: 'email', reason: 'is not an email address' });

  // Any consent column filled in is a claim of consent: it counts only with its whole record.
  const consentText = get('consent_text');
  const consentAt = get('consent_obtained_at');
  const consentMethod = get('consent_method');
  let consent: ConsentRecordInput | null = null;
  if (consentText || consentAt || consentMethod) {
    const missing = (field: ImportColumn, what: string) =>
      problems.push({ field, reason: `is required when the row records consent (${what})` });
    if (!consentText) missing('consent_text', 'the wording the person agreed to');
    else if (BARE_YES.test(consentText))
      problems.push({ field: 'consent_text', reason: 'must be the wording the person agreed to, not a yes' });
    if (!consentMethod) missing('consent_method', 'how it was obtained: paper form, website form, verbal …');
    let obtainedAt: Date | null = null;
    if (!consentAt) missing('consent_obtained_at', 'when it was obtained');
    else obtainedAt = pastDate(consentAt, 'consent_obtained_at', ctx, problems, 'consent is recorded once given');
    if (consentText && consentMethod && obtainedAt && !BARE_YES.test(consentText))
      consent = { text: consentText, obtainedAt, method: consentMethod };
  }

  let appointment: ImportRow['appointment'] = null;
  const appointmentAt = get('appointment_at');
  const service = get('appointment_service');
  if (appointmentAt) {
    const at = pastDate(
      appointmentAt,
      'appointment_at',
      ctx,
      problems,
      'the import takes past appointments; book new ones',
    );
    if (at) appointment = { at, service: service || null };
  } else if (service) {
    problems.push({ field: 'appointment_at', reason: 'is required when appointment_service is given' });
  }

  if (problems.length > 0) return { ok: false, problems: problems.map((p) => ({ row, ...p })) };
  return {
    ok: true,
    value: {
      row,
      name,
      phone,
      email: email ? email.toLowerCase() : null,
      notes: get('notes') || null,
      consent,
      appointment,
    },
  };
}
