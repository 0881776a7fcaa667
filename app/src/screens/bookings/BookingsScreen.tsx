import { useEffect, useMemo, useState } from 'react';
import { addDays, dayIn, dayLabel, mondayOf, zonedInstant } from '../../components/time/zoned-time';
import '../../components/ui/screens.css';
import { useSession } from '../../shell/session';
import { BookForm } from './BookForm';
import { DayAppointments } from './DayAppointments';
import { useAppointments, type AppointmentItem } from './appointments-api';

/** A clock for "has it started": outcomes can be marked only once an appointment began. */
function useNow(everyMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function Week({ timeZone }: { timeZone: string }) {
  const now = useNow(15_000);
  const [monday, setMonday] = useState(() => mondayOf(dayIn(new Date(), timeZone)));
  const days = useMemo(() => Array.from({ length: 7 }, (_, i) => addDays(monday, i)), [monday]);
  const from = useMemo(() => zonedInstant(monday, '00:00', timeZone), [monday, timeZone]);
  const to = useMemo(() => zonedInstant(addDays(monday, 7), '00:00', timeZone), [monday, timeZone]);
  const week = useAppointments(from, to);
  const byDay = useMemo(() => {
    const map = new Map<string, AppointmentItem[]>(days.map((d) => [d, []]));
    for (const a of week.data ?? []) map.get(dayIn(a.start, timeZone))?.push(a);
    return map;
  }, [week.data, days, timeZone]);
  const title = `Week of ${dayLabel(monday, { day: 'numeric', month: 'long', year: 'numeric' })}`;

  return (
    <>
      <BookForm timeZone={timeZone} onBooked={(day) => setMonday(mondayOf(day))} />
      <div className="week-nav" role="group" aria-label="Week">
        <button type="button" className="ghost" onClick={() => setMonday(addDays(monday, -7))}>
          Previous week
        </button>
        <button type="button" className="ghost" onClick={() => setMonday(mondayOf(dayIn(new Date(), timeZone)))}>
          This week
        </button>
        <button type="button" className="ghost" onClick={() => setMonday(addDays(monday, 7))}>
          Next week
        </button>
      </div>
      <h2 className="week-title" aria-live="polite">
        {title} <span className="muted">({timeZone})</span>
      </h2>
      {week.isError && (
        <p role="alert" className="error">
          {week.error.message}
        </p>
      )}
      {week.isPending ? (
        <p role="status">Loading the week…</p>
      ) : (
        <div className="week">
          {days.map((day) => (
            <DayAppointments key={day} day={day} items={byDay.get(day) ?? []} timeZone={timeZone} now={now} />
          ))}
        </div>
      )}
    </>
  );
}

/** Bookings: the business's week (Monday to Sunday in its time zone), and booking a slot for a lead. */
export default function BookingsScreen() {
  const session = useSession();
  const timeZone = session.data?.business.timeZone;
  return (
    <>
      <h1>Bookings</h1>
      {timeZone ? <Week timeZone={timeZone} /> : <p role="status">Loading…</p>}
    </>
  );
}
