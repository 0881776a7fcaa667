import type { GoogleCalendar } from './google-api';

/** The connected Google account's calendars as options: read-only ones shown, not pickable. */
export function CalendarOptions({ calendars }: { calendars: GoogleCalendar[] }) {
  return (
    <>
      {calendars.map((c) => (
        <option key={c.id} value={c.id} disabled={!c.bookable}>
          {c.summary}
          {c.primary ? ' (primary)' : ''}
          {c.bookable ? '' : ' (read only)'}
        </option>
      ))}
    </>
  );
}
