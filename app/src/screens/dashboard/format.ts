export const count = (v: number | null) => (v === null ? '–' : String(Math.round(v)));

export const percent = (v: number | null) => (v === null ? '–' : `${Math.round(v * 1000) / 10}%`);

/** A duration in seconds as people say it: 45 s, 3.5 min, 2.1 h. */
export function duration(v: number | null): string {
  if (v === null) return '–';
  if (v < 90) return `${Math.round(v)} s`;
  if (v < 90 * 60) return `${Math.round(v / 6) / 10} min`;
  return `${Math.round(v / 360) / 10} h`;
}
