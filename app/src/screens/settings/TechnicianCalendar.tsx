import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useGoogleCalendars, useGoogleConnection } from './google-api';
import { CalendarOptions } from './CalendarOptions';
import { SaveStatus } from './SaveStatus';
import { useSaveTechnician, type Technician } from './technicians-api';

const NONE = '';
/** calendar google with no id: the calendar picked for the business on the Google Calendar tab. */
const BUSINESS = 'business';

const valueOf = (t: Technician) => (t.calendar !== 'google' ? NONE : (t.googleCalendarId ?? BUSINESS));

/**
 * A person's own Google calendar: booking reads its busy times and writes their appointments
 * there. Offered once the business has connected Google Calendar; "None" keeps leadflow's only.
 */
export function TechnicianCalendar({ technician, idPrefix }: { technician: Technician; idPrefix: string }) {
  const connection = useGoogleConnection();
  const connected = connection.data?.connected === true;
  const calendars = useGoogleCalendars(connected);
  const save = useSaveTechnician(technician.id);
  const [picked, setPicked] = useState(() => valueOf(technician));

  if (connection.isPending) return null;
  if (!connected)
    return (
      <p className="muted">
        To use {technician.name}’s own Google calendar, <Link href="/settings/calendar">connect Google Calendar</Link>{' '}
        first.
      </p>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(
      picked === NONE
        ? { calendar: 'builtin', googleCalendarId: null }
        : { calendar: 'google', googleCalendarId: picked === BUSINESS ? null : picked },
    );
  };
  const list = calendars.data ?? [];
  // A calendar saved earlier that the account no longer lists is still shown, so the select tells the truth.
  const unlisted = picked !== NONE && picked !== BUSINESS && !list.some((c) => c.id === picked);
  return (
    <form onSubmit={submit}>
      <label htmlFor={`${idPrefix}-calendar`}>Google calendar</label>
      <select
        id={`${idPrefix}-calendar`}
        className="calendar-select"
        value={picked}
        disabled={calendars.isPending}
        onChange={(e) => setPicked(e.target.value)}
      >
        <option value={NONE}>None (leadflow’s appointments only)</option>
        <option value={BUSINESS}>The business’s calendar</option>
        {unlisted && <option value={picked}>{picked}</option>}
        <CalendarOptions calendars={list} />
      </select>
      {calendars.isError && (
        <p role="alert" className="error">
          {calendars.error.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" disabled={save.isPending}>
          Save calendar for {technician.name}
        </button>
      </div>
      <SaveStatus mutation={save} />
    </form>
  );
}
