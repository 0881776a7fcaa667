const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** "12 days 4 hours left", "5 hours left", or "Overdue by 2 days 3 hours". */
export function countdown(dueAt: string, now: number): { text: string; overdue: boolean } {
  const left = Date.parse(dueAt) - now;
  const abs = Math.abs(left);
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const parts = [
    days > 0 ? `${days} ${days === 1 ? 'day' : 'days'}` : null,
    `${hours} ${hours === 1 ? 'hour' : 'hours'}`,
  ]
    .filter(Boolean)
    .join(' ');
  return left >= 0 ? { text: `${parts} left`, overdue: false } : { text: `Overdue by ${parts}`, overdue: true };
}
