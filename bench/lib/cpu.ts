import { readdirSync, readFileSync } from 'node:fs';

/** The pieces of the local stack whose CPU the benchmarks account for. */
export const COMPONENTS = ['temporal', 'worker', 'api', 'postgres', 'bench'] as const;
export type Component = (typeof COMPONENTS)[number];
export type CpuSeconds = Record<Component, number>;

/** Linux reports utime and stime in clock ticks; USER_HZ is 100 on every mainstream build. */
const TICKS_PER_SECOND = 100;

function classify(cmdline: string): Component | null {
  // The floor's workers (bench/floor/) count as the worker: each step runs one implementation's leads.
  if (cmdline.includes('worker/main.ts') || cmdline.includes('bench/floor/worker.ts')) return 'worker';
  if (cmdline.includes('api/main.ts')) return 'api';
  if (cmdline.includes('server start-dev')) return 'temporal';
  if (/(^|\/)postgres[\s:]/.test(cmdline) || cmdline.startsWith('postgres:')) return 'postgres';
  return null;
}

/**
 * CPU seconds used so far by each piece of the stack this process started (its
 * descendants in /proc, told apart by command line), and by this process itself (the
 * load generator and the fakes). A process that exited meanwhile (a Postgres backend of a
 * closed connection) counts through its parent: each process adds the time of its children
 * it has reaped (cutime, cstime), which live children's own figures never include, so
 * nothing is counted twice and a component's figure never goes down between readings.
 */
export function cpuNow(): CpuSeconds {
  const parent = new Map<number, number>();
  const used = new Map<number, number>();
  const command = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(pid, Number(fields[1]));
      // utime, stime, cutime, cstime (fields 14–17 of stat(5); the slice starts at field 3).
      used.set(
        pid,
        (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
      );
      command.set(pid, readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      // gone meanwhile
    }
  }
  const totals: CpuSeconds = { temporal: 0, worker: 0, api: 0, postgres: 0, bench: 0 };
  for (const [pid, seconds] of used) {
    let kind: Component | null = null;
    let cur: number | undefined = pid;
    // Descendants only; a child takes the kind of the nearest classified ancestor (postgres backends).
    for (let depth = 0; cur !== undefined && cur !== process.pid && depth < 12; depth += 1) {
      kind ??= classify(command.get(cur) ?? '');
      cur = parent.get(cur);
    }
    if (cur === process.pid && kind) totals[kind] += seconds;
  }
  const self = process.cpuUsage();
  totals.bench = (self.user + self.system) / 1e6;
  return totals;
}

/** CPU used per component between two readings. */
export function cpuBetween(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  return Object.fromEntries(COMPONENTS.map((c) => [c, Number((after[c] - before[c]).toFixed(2))])) as CpuSeconds;
}

/** Milliseconds of CPU per unit of work (a lead, a capture), by component, and their sum. */
export function cpuPer(used: CpuSeconds, units: number): CpuSeconds & { total: number } {
  const per = Object.fromEntries(
    COMPONENTS.map((c) => [c, units > 0 ? Number(((used[c] * 1000) / units).toFixed(1)) : 0]),
  ) as CpuSeconds;
  return { ...per, total: Number(COMPONENTS.reduce((sum, c) => sum + per[c], 0).toFixed(1)) };
}
