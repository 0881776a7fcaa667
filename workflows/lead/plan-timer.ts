import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

const cancelledIsFalse = (err: unknown): false => {
  if (isCancellation(err)) return false;
  throw err;
};

/**
 * The timer for the loop's planned time, kept across wake-ups while the plan still names the
 * same time. A job update or a signal that leaves the next step where it was (the visit's
 * settle time while the technician marks "on my way" and "started") then starts no second
 * timer: each started timer is a billed Temporal action, a cancelled one costs nothing more.
 */
export class PlanTimer {
  private current: { at: number; scope: CancellationScope; fired: Promise<boolean> } | null = null;

  /** True once `at` has come, false when `woken` turned true first. */
  async until(at: number, woken: () => boolean): Promise<boolean> {
    if (this.current?.at !== at) {
      this.cancel();
      const scope = new CancellationScope();
      const fired = scope.run(() => sleep(at - Date.now())).then(() => true, cancelledIsFalse);
      this.current = { at, scope, fired };
    }
    const waiting = new CancellationScope();
    const woke = waiting.run(() => condition(woken)).then(() => false as const, cancelledIsFalse);
    const fired = await Promise.race([this.current.fired, woke]);
    // The wait for a wake-up ends with this call; the timer lives on unless it fired.
    waiting.cancel();
    if (fired) this.current = null;
    return fired;
  }

  /** The plan has no time any more (or another one): the timer goes. */
  cancel() {
    this.current?.scope.cancel();
    this.current = null;
  }
}
