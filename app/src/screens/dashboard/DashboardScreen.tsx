import { useMemo } from 'react';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart';
import { addDays, dayIn, dayLabel } from '../../components/time/zoned-time';
import '../../components/ui/screens.css';
import { useSession } from '../../shell/session';
import { fillDays, useAnalytics, type Analytics } from './analytics-api';
import { count, duration, percent } from './format';
import { TableScroll } from '../../components/ui/TableScroll';

const RANGE_DAYS = 30;
const COUNT_AXIS = { integers: true };
const SECONDS_AXIS = { format: (v: number) => `${v} s` };
const PERCENT_AXIS = { format: (v: number) => `${Math.round(v * 100)}%` };

function Today({ totals }: { totals: Analytics['totals'] }) {
  const figures: Array<[string, string]> = [
    ['Leads', count(totals.leads)],
    ['Median time to first reply', duration(totals.medianFirstReplySeconds)],
    ['90th percentile first reply', duration(totals.p90FirstReplySeconds)],
    ['Reply rate', percent(totals.replyRate)],
    ['Booking rate', percent(totals.bookingRate)],
    ['Opt-out rate', percent(totals.optOutRate)],
  ];
  return (
    <dl className="figures">
      {figures.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Breakdown({ title, counts }: { title: string; counts: Record<string, number> }) {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return (
    <TableScroll className="card" label={title}>
      <table className="data">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{title.replace('Leads by ', '').replace(/^./, (c) => c.toUpperCase())}</th>
            <th scope="col">Leads</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={2}>None in this period</td>
            </tr>
          ) : (
            rows.map(([key, n]) => (
              <tr key={key}>
                <th scope="row">{key.replace(/_/g, ' ')}</th>
                <td>{n}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </TableScroll>
  );
}

function Figures({ timeZone }: { timeZone: string }) {
  const today = dayIn(new Date(), timeZone);
  const from = addDays(today, -(RANGE_DAYS - 1));
  const todays = useAnalytics(today, today, timeZone);
  const range = useAnalytics(from, today, timeZone);
  const days = useMemo(() => Array.from({ length: RANGE_DAYS }, (_, i) => addDays(from, i)), [from]);
  const filled = useMemo(() => (range.data ? fillDays(days, range.data.byDay) : []), [days, range.data]);
  const leadSeries = useMemo(() => [{ label: 'Leads', values: filled.map((d) => d.leads) }], [filled]);
  const replySeries = useMemo(
    () => [
      { label: 'Median', values: filled.map((d) => d.medianFirstReplySeconds) },
      { label: '90th percentile', values: filled.map((d) => d.p90FirstReplySeconds) },
    ],
    [filled],
  );
  const rateSeries = useMemo(
    () => [
      { label: 'Reply rate', values: filled.map((d) => d.replyRate) },
      { label: 'Booking rate', values: filled.map((d) => d.bookingRate) },
      { label: 'Opt-out rate', values: filled.map((d) => d.optOutRate) },
    ],
    [filled],
  );

  return (
    <>
      <section aria-labelledby="today-title">
        <h2 id="today-title">Today, {dayLabel(today)}</h2>
        {todays.isError && (
          <p role="alert" className="error">
            {todays.error.message}
          </p>
        )}
        {todays.data ? <Today totals={todays.data.totals} /> : <p role="status">Loading today’s figures…</p>}
      </section>
      <section aria-labelledby="range-title">
        <h2 id="range-title">
          The last {RANGE_DAYS} days <span className="muted">(days in {timeZone})</span>
        </h2>
        {range.isError && (
          <p role="alert" className="error">
            {range.error.message}
          </p>
        )}
        {range.data ? (
          <>
            <TimeSeriesChart title="Leads per day" days={days} series={leadSeries} format={count} axis={COUNT_AXIS} />
            <TimeSeriesChart
              title="Time to first reply"
              days={days}
              series={replySeries}
              format={duration}
              axis={SECONDS_AXIS}
            />
            <TimeSeriesChart
              title="Reply, booking and opt-out rates"
              days={days}
              series={rateSeries}
              format={percent}
              axis={PERCENT_AXIS}
            />
            <div className="columns">
              <Breakdown title="Leads by source" counts={range.data.bySource} />
              <Breakdown title="Leads by status" counts={range.data.byStatus} />
            </div>
          </>
        ) : (
          <p role="status">Loading the charts…</p>
        )}
      </section>
    </>
  );
}

/** Dashboard: today's figures as numbers, and the last 30 days as charts with their tables. */
export default function DashboardScreen() {
  const session = useSession();
  const timeZone = session.data?.business.timeZone;
  return (
    <>
      <h1>Dashboard</h1>
      {timeZone ? <Figures timeZone={timeZone} /> : <p role="status">Loading…</p>}
    </>
  );
}
