import { useId } from 'react';
import { Link } from 'wouter';
import { dayLabel, timeIn } from '../../components/time/zoned-time';
import { CancelDialog } from './CancelDialog';
import { MoveDialog } from './MoveDialog';
import { useAppointmentChange, type AppointmentItem } from './appointments-api';

const STATUS: Record<AppointmentItem['status'], string> = {
  booked: 'Booked',
  cancelled: 'Cancelled',
  completed: 'Completed',
  no_show: 'No-show',
};

function Outcome({ appointment }: { appointment: AppointmentItem }) {
  const change = useAppointmentChange();
  const mark = (outcome: 'completed' | 'no_show') =>
    change.mutate({ kind: 'outcome', leadId: appointment.leadId, outcome });
  return (
    <>
      <button type="button" className="ghost" disabled={change.isPending} onClick={() => mark('completed')}>
        Mark completed
      </button>
      <button type="button" className="ghost" disabled={change.isPending} onClick={() => mark('no_show')}>
        Mark no-show
      </button>
      {change.isError && (
        <p role="alert" className="error">
          {change.error.message}
        </p>
      )}
    </>
  );
}

/** One day of the week: its appointments in start order, each with what can be done to it. */
export function DayAppointments(props: { day: string; items: AppointmentItem[]; timeZone: string; now: number }) {
  const id = useId();
  const { day, items, timeZone, now } = props;
  return (
    <section className="day" aria-labelledby={id}>
      <h3 id={id}>{dayLabel(day)}</h3>
      {items.length === 0 ? (
        <p className="muted">No appointments</p>
      ) : (
        <ul className="list appointments" aria-labelledby={id}>
          {items.map((a) => {
            const when = `${timeIn(a.start, timeZone)}–${timeIn(a.end, timeZone)}`;
            const started = Date.parse(a.start) <= now;
            return (
              <li key={a.id} className="appointment">
                <div>
                  <strong>{when}</strong> {a.leadName ?? 'Erased lead'}
                  <span className="muted">{a.serviceName ? ` · ${a.serviceName}` : ''}</span>{' '}
                  <span className={`badge status-${a.status}`}>{STATUS[a.status]}</span>{' '}
                  {a.leadName && (
                    // The conversation holds the job's buttons (on my way, start, finish).
                    <Link href={`/inbox/${a.leadId}`}>
                      Job and messages<span className="visually-hidden"> of {a.leadName}</span>
                    </Link>
                  )}
                </div>
                {a.status === 'booked' && (
                  <div className="actions">
                    {!started && <MoveDialog appointment={a} timeZone={timeZone} />}
                    {!started && <CancelDialog appointment={a} when={`${dayLabel(day)} ${when}`} />}
                    {started && <Outcome appointment={a} />}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
