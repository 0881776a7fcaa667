import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { dayIn, timeIn } from '../../components/time/zoned-time';
import { ConfirmDialog } from '../../components/ui/ConfirmDialog';
import { useSession } from '../../shell/session';
import { CalendarOptions } from './CalendarOptions';
import { SaveStatus } from './SaveStatus';
import {
  useChooseGoogleCalendar,
  useConnectGoogle,
  useDisconnectGoogle,
  useGoogleCalendars,
  useGoogleConnection,
  type GoogleConnection,
} from './google-api';

/**
 * What the API's callback said (/app/settings?google=…). Our own sentences, not the address's
 * `message`: a link anyone can craft should not put words on this screen.
 */
const OUTCOMES: Record<string, { ok: boolean; text: string }> = {
  connected: { ok: true, text: 'Google Calendar is connected. Pick the calendar booking uses.' },
  denied: { ok: false, text: 'Google Calendar was not connected: access was not allowed on Google’s consent page.' },
  failed: { ok: false, text: 'Google Calendar was not connected: Google did not grant calendar access. Try again.' },
};

/** The outcome of a consent round trip, read once; the address then becomes the tab's own. */
function useConsentOutcome() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const [outcome] = useState(() => OUTCOMES[new URLSearchParams(search).get('google') ?? ''] ?? null);
  useEffect(() => {
    if (new URLSearchParams(search).has('google')) navigate('/settings/calendar', { replace: true });
  }, [search, navigate]);
  return outcome;
}

/** Google Calendar: connect through Google's consent page, pick the calendar booking uses, disconnect. */
export function GoogleTab({ timeZone }: { timeZone: string }) {
  const outcome = useConsentOutcome();
  const connection = useGoogleConnection();
  const isOwner = useSession().data?.user.role === 'owner';

  return (
    <section aria-labelledby="google-heading">
      <h2 id="google-heading">Google Calendar</h2>
      <p className="muted">
        Once it is connected, booking offers only times free in the chosen calendar and adds each appointment to it.
      </p>
      {outcome &&
        (outcome.ok ? (
          <p role="status" className="ok">
            {outcome.text}
          </p>
        ) : (
          <p role="alert" className="error">
            {outcome.text}
          </p>
        ))}
      {connection.isPending && <p role="status">Loading…</p>}
      {connection.isError && (
        <p role="alert" className="error">
          {connection.error.message}
        </p>
      )}
      {connection.data && <Connection connection={connection.data} timeZone={timeZone} isOwner={isOwner} />}
    </section>
  );
}

function Connection(props: { connection: GoogleConnection; timeZone: string; isOwner: boolean }) {
  const { connection, timeZone, isOwner } = props;
  const connect = useConnectGoogle();
  // The calendar's name rather than its id, when the owner may list them.
  const calendars = useGoogleCalendars(connection.connected && isOwner);
  const calendarName = calendars.data?.find((c) => c.id === connection.calendarId)?.summary;
  if (!connection.configured && !connection.connected)
    return (
      <p>
        This server has no Google OAuth client yet (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET), so Google Calendar
        cannot be connected. Booking uses leadflow’s own calendar.
      </p>
    );
  return (
    <>
      <dl className="facts">
        <dt>Status</dt>
        <dd>{connection.connected ? 'Connected' : 'Not connected'}</dd>
        {connection.connected && (
          <>
            <dt>Since</dt>
            <dd>
              {connection.connectedAt
                ? `${dayIn(connection.connectedAt, timeZone)} ${timeIn(connection.connectedAt, timeZone)}`
                : '—'}
            </dd>
            <dt>Calendar</dt>
            <dd>{connection.calendarId ? (calendarName ?? connection.calendarId) : 'None picked yet'}</dd>
          </>
        )}
      </dl>
      {!isOwner ? (
        <p className="muted">Only an owner can connect Google Calendar or change it.</p>
      ) : connection.connected ? (
        <>
          <CalendarPicker current={connection.calendarId} />
          <DisconnectDialog />
        </>
      ) : (
        <>
          <p>You will be sent to Google to allow leadflow to read free times and add appointments.</p>
          <button type="button" disabled={connect.isPending || connect.isSuccess} onClick={() => connect.mutate()}>
            Connect Google Calendar
          </button>
          {connect.isError && (
            <p role="alert" className="error">
              {connect.error.message}
            </p>
          )}
        </>
      )}
    </>
  );
}

function CalendarPicker({ current }: { current: string | null }) {
  const calendars = useGoogleCalendars(true);
  const choose = useChooseGoogleCalendar();
  const [picked, setPicked] = useState(current ?? '');
  const list = calendars.data ?? [];
  // Until one is picked, the first calendar leadflow may write to is offered.
  const value = picked || list.find((c) => c.bookable)?.id || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value) choose.mutate(value);
  };
  if (calendars.isPending) return <p role="status">Loading the calendars…</p>;
  if (calendars.isError)
    return (
      <p role="alert" className="error">
        {calendars.error.message}
      </p>
    );
  return (
    <form onSubmit={submit}>
      <label htmlFor="google-calendar">Calendar for bookings</label>
      <select
        id="google-calendar"
        className="calendar-select"
        value={value}
        onChange={(e) => setPicked(e.target.value)}
      >
        <CalendarOptions calendars={list} />
      </select>
      <div className="actions">
        <button type="submit" disabled={choose.isPending || !value}>
          Use this calendar
        </button>
      </div>
      <SaveStatus mutation={choose} />
    </form>
  );
}

/** Disconnecting revokes leadflow's access at Google, so it is confirmed first. */
function DisconnectDialog() {
  const disconnect = useDisconnectGoogle();
  return (
    <ConfirmDialog
      trigger="Disconnect Google Calendar"
      title="Disconnect Google Calendar?"
      description="leadflow’s access is revoked at Google. Booking then uses leadflow’s own calendar; events already added stay in Google Calendar."
      confirm="Disconnect"
      keep="Keep it connected"
      mutation={disconnect}
      onConfirm={(close) => disconnect.mutate(undefined, { onSuccess: close })}
    />
  );
}
