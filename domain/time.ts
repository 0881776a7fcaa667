/**
 * Lengths of time in milliseconds. Calendar days in a time zone are luxon's business
 * (a DST day is 23 or 25 hours); these are fixed spans, as retention periods and timers use.
 */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
