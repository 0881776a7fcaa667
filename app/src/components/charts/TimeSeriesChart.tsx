import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { TableScroll } from '../ui/TableScroll';

export interface Series {
  label: string;
  values: Array<number | null>;
}

/** Distinguishable in both themes and for the common colour-vision deficiencies (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00'];

const dayToSeconds = (day: string) => Date.parse(`${day}T12:00:00Z`) / 1000;

function cssVar(name: string, fallback: string) {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * A uPlot chart of figures by day, and the same figures as a table: the canvas is hidden
 * from assistive technology, the table (visually hidden unless `showTable`) carries the data.
 */
export function TimeSeriesChart(props: {
  title: string;
  days: string[];
  series: Series[];
  /** How a value reads in the table and the legend. */
  format: (v: number | null) => string;
  /** How the y axis labels its ticks (default: plain numbers); `integers` keeps counts whole. */
  axis?: { format?: (v: number) => string; integers?: boolean };
  showTable?: boolean;
}) {
  const { title, days, series, format, axis: yAxis, showTable = false } = props;
  const id = useId();
  const table = (
    <table className="data">
      <caption>{title}, by day</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          {series.map((s) => (
            <th key={s.label} scope="col">
              {s.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {days.map((day, row) => (
          <tr key={day}>
            <th scope="row">{day}</th>
            {series.map((s) => (
              <td key={s.label}>{format(s.values[row] ?? null)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--text', '#1b1f24');
    const grid = cssVar('--border', '#c9d0d9');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 280),
      height: 220,
      // Days are calendar days of the business's zone, placed at noon UTC and shown as UTC dates.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      // Counts, durations and rates all start at zero; a flat line of small values is not a cliff.
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { ...axis, space: 60 },
        {
          ...axis,
          size: 60,
          ...(yAxis?.format ? { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => yAxis.format!(t)) } : {}),
          ...(yAxis?.integers ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] } : {}),
        },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLOURS[i % COLOURS.length],
          width: 2,
          points: { show: days.length < 40 },
          value: (_u: uPlot, v: number | null) => format(v),
        })),
      ],
      legend: { show: true },
    };
    const data: uPlot.AlignedData = [days.map(dayToSeconds), ...series.map((s) => s.values)];
    const plot = new uPlot(opts, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(el.clientWidth, 280), height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days, series, format, yAxis]);

  return (
    <figure className="chart card" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}>
        <strong>{title}</strong>
      </figcaption>
      <div ref={box} className="chart-canvas" aria-hidden="true" />
      {showTable ? (
        <TableScroll label={`${title}, by day`}>{table}</TableScroll>
      ) : (
        <div className="visually-hidden">{table}</div>
      )}
    </figure>
  );
}
