export const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
export type Day = (typeof DAYS)[number][0];
export type Hours = Partial<Record<Day, Array<{ start: string; end: string }>>>;

/** One working period per day: a checkbox for the day and its start and end times. */
export function WeeklyHoursFields(props: {
  idPrefix: string;
  hours: Hours;
  onChange: (hours: Hours) => void;
  /** "Works on Monday", "Monday from", "Monday until" */
  words: { on: string; from: string; until: string };
}) {
  const { idPrefix, hours, onChange, words } = props;
  const setDay = (day: Day, range: { start: string; end: string } | null) =>
    onChange({ ...hours, [day]: range ? [range, ...(hours[day]?.slice(1) ?? [])] : [] });
  return (
    <>
      {DAYS.map(([day, label]) => {
        const range = hours[day]?.[0] ?? null;
        return (
          <div key={day} className="row">
            <label className="inline">
              <input
                type="checkbox"
                checked={range !== null}
                onChange={(e) => setDay(day, e.target.checked ? { start: '09:00', end: '17:00' } : null)}
              />
              {words.on} {label}
            </label>
            {range && (
              <>
                <div>
                  <label htmlFor={`${idPrefix}-${day}-start`}>
                    {label} {words.from}
                  </label>
                  <input
                    id={`${idPrefix}-${day}-start`}
                    type="time"
                    value={range.start}
                    onChange={(e) => setDay(day, { ...range, start: e.target.value })}
                  />
                </div>
                <div>
                  <label htmlFor={`${idPrefix}-${day}-end`}>
                    {label} {words.until}
                  </label>
                  <input
                    id={`${idPrefix}-${day}-end`}
                    type="time"
                    value={range.end}
                    onChange={(e) => setDay(day, { ...range, end: e.target.value })}
                  />
                </div>
              </>
            )}
          </div>
        );
      })}
    </>
  );
}
