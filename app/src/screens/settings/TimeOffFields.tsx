import { useState, type FormEvent } from 'react';
import { addDays, dayIn, dayLabel, timeIn, zonedInstant } from '../../components/time/zoned-time';
import { useAddTimeOff, useRemoveTimeOff, type Technician } from './technicians-api';

const SHORT_DAY: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };

/** "Mon 7 Dec 2026 – Tue 8 Dec 2026" for whole days off (midnight to midnight in the zone), else with the times. */
function periodLabel(period: { startsAt: string; endsAt: string }, timeZone: string): string {
  const wholeDays = timeIn(period.startsAt, timeZone) === '00:00' && timeIn(period.endsAt, timeZone) === '00:00';
  const first = dayIn(period.startsAt, timeZone);
  if (wholeDays) {
    const last = addDays(dayIn(period.endsAt, timeZone), -1);
    return first === last ? dayLabel(first, SHORT_DAY) : `${dayLabel(first, SHORT_DAY)} – ${dayLabel(last, SHORT_DAY)}`;
  }
  const end = dayIn(period.endsAt, timeZone);
  return `${dayLabel(first, SHORT_DAY)} ${timeIn(period.startsAt, timeZone)} – ${dayLabel(end, SHORT_DAY)} ${timeIn(period.endsAt, timeZone)}`;
}

/** A person's coming time off, whole days in the business's zone; no slot of theirs overlaps it. */
export function TimeOffFields({ technician, timeZone }: { technician: Technician; timeZone: string }) {
  const add = useAddTimeOff(technician.id);
  const remove = useRemoveTimeOff(technician.id);
  const [first, setFirst] = useState('');
  const [last, setLast] = useState('');
  const [reason, setReason] = useState('');
  const idPrefix = `time-off-${technician.id}`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const lastDay = last || first;
    add.mutate(
      {
        startsAt: zonedInstant(first, '00:00', timeZone).toISOString(),
        endsAt: zonedInstant(addDays(lastDay, 1), '00:00', timeZone).toISOString(),
        reason: reason.trim() || null,
      },
      {
        onSuccess: () => {
          setFirst('');
          setLast('');
          setReason('');
        },
      },
    );
  };
  const problem = add.error ?? remove.error;

  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Time off</legend>
        {technician.timeOff.length === 0 ? (
          <p className="muted">None coming.</p>
        ) : (
          <ul className="list">
            {technician.timeOff.map((t) => {
              const label = periodLabel(t, timeZone);
              return (
                <li key={t.id} className="row">
                  <span>
                    {label}
                    {t.reason ? ` · ${t.reason}` : ''}
                  </span>
                  <button
                    type="button"
                    className="ghost"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate(t.id)}
                  >
                    Remove<span className="visually-hidden"> time off {label}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <div className="row">
          <div>
            <label htmlFor={`${idPrefix}-first`}>First day off</label>
            <input
              id={`${idPrefix}-first`}
              type="date"
              required
              value={first}
              onChange={(e) => setFirst(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={`${idPrefix}-last`}>Last day off (empty: one day)</label>
            <input
              id={`${idPrefix}-last`}
              type="date"
              min={first || undefined}
              value={last}
              onChange={(e) => setLast(e.target.value)}
            />
          </div>
          <div>
            <label htmlFor={`${idPrefix}-reason`}>Reason (optional)</label>
            <input
              id={`${idPrefix}-reason`}
              maxLength={200}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <button type="submit" className="ghost" disabled={add.isPending || !first}>
            Add time off
          </button>
        </div>
        {problem && (
          <p role="alert" className="error">
            {problem.message}
          </p>
        )}
      </fieldset>
    </form>
  );
}
