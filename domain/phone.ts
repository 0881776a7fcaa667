import { parsePhoneNumberWithError, ParseError, type CountryCode } from 'libphonenumber-js/max';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

const REASONS: Record<string, string> = {
  INVALID_COUNTRY: 'has no country code; write it as +1 555 010 0000',
  NOT_A_NUMBER: 'is not a phone number',
  TOO_SHORT: 'is too short to be a phone number',
  TOO_LONG: 'is too long to be a phone number',
  INVALID_LENGTH: 'has the wrong number of digits',
};

/** Normalises to E.164; numbers without a country code are read as `defaultCountry`'s. */
export function normalisePhone(raw: string, defaultCountry: CountryCode = 'US'): PhoneResult {
  try {
    const phone = parsePhoneNumberWithError(raw, { defaultCountry });
    if (!phone.isValid()) return { ok: false, reason: 'is not a valid number for its country' };
    return { ok: true, e164: phone.number };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, reason: REASONS[err.message] ?? 'is not a phone number' };
    throw err;
  }
}
