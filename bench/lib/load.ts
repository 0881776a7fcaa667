import { loadavg } from 'node:os';

export interface LoadWait {
  /** The 1-minute load average when the step started. */
  load1: number;
  /** Seconds spent waiting for it to fall below the threshold. */
  waitedSeconds: number;
  /** False when the wait timed out and the step ran above the threshold anyway. */
  settled: boolean;
}

/**
 * Waits until the machine's 1-minute load average is below `below` (other processes share
 * the cores: a step measured while they run is noisy), at most `timeoutMs`, and says what
 * the load was when the step began.
 */
export async function waitForQuiet(opts: { below?: number; timeoutMs?: number } = {}): Promise<LoadWait> {
  const below = opts.below ?? 1;
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 120_000);
  while (loadavg()[0]! >= below && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2_000));
  const load1 = Number(loadavg()[0]!.toFixed(2));
  return { load1, waitedSeconds: Math.round((Date.now() - started) / 1000), settled: load1 < below };
}
