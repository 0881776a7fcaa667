import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';

interface Running {
  at: number;
  scope: CancellationScope;
  /** Set when the timer fires; a cancelled timer never sets it. */
  fired: boolean;
  /** Anything but a cancellation that ended the timer, for the waiting call to throw. */
  error?: unknown;
}

/**
 * The timer for the loop's planned time, kept across wake-ups while the plan still names the
 * same time. A job update or a signal that leaves the next step where it was (the visit's
 * settle time while the technician marks "on my way" and "started") then starts no second
 * timer: each started timer is a billed Temporal action, a cancelled one costs nothing more.
 *
 * The wait is one `condition` on the timer's flag or the wake-up, not a race of promises in
 * scopes of their own: the SDK records a stack trace for every promise a workflow creates,
 * and this runs at every turn of the loop (in a burst of timers, on every replay). Either way
 * the commands are the same: the timer starts once per planned time and is cancelled when the
 * plan moves, so histories recorded with the earlier form replay unchanged.
 */
export class PlanTimer {
  private current: Running | null = null;

  /** True once `at` has come, false when `woken` turned true first. */
  async until(at: number, woken: () => boolean): Promise<boolean> {
    if (this.current?.at !== at) {
      this.cancel();
      const running: Running = { at, scope: new CancellationScope(), fired: false };
      running.scope
        .run(() => sleep(at - Date.now()))
        .then(
          () => {
            running.fired = true;
          },
          (err: unknown) => {
            if (!isCancellation(err)) running.error = err;
          },
        );
      this.current = running;
    }
    const running = this.current;
    try {
      await condition(() => running.fired || running.error !== undefined || woken());
    } catch (err) {
      // The workflow itself was cancelled: as before, the wait just ends unfired.
      if (isCancellation(err)) return false;
      throw err;
    }
    if (running.error !== undefined) throw running.error;
    // The timer lives on unless it fired.
    if (running.fired) this.current = null;
    return running.fired;
  }

  /** The plan has no time any more (or another one): the timer goes. */
  cancel() {
    this.current?.scope.cancel();
    this.current = null;
  }
}
