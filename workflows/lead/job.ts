import type { Booking, Job, JobStatus, LeadState } from './definitions';

/** Where each status may go next; a finished, no-show or cancelled job goes nowhere. */
const NEXT: Record<JobStatus, readonly JobStatus[]> = {
  scheduled: ['en_route', 'in_progress'],
  en_route: ['in_progress'],
  in_progress: ['finished'],
  finished: [],
  no_show: [],
  cancelled: [],
};

export const canMoveJob = (from: JobStatus, to: JobStatus): boolean => NEXT[from].includes(to);

/**
 * The lead's job as it stands: the marked job of the current booking, a booking nobody marked
 * yet (scheduled), or the last job once its booking settled or was cancelled.
 */
export function jobOf(state: Pick<LeadState, 'booking' | 'job'>): Job | null {
  const { booking, job } = state;
  if (booking) {
    if (job && job.appointmentId === booking.appointmentId) return job;
    return {
      appointmentId: booking.appointmentId,
      status: 'scheduled',
      updatedAt: booking.bookedAt,
      // The assigned technician, until the one who goes says otherwise.
      ...(booking.technicianName ? { technicianName: booking.technicianName } : {}),
    };
  }
  return job ?? null;
}

/** The job of a booking that is settled or cancelled now, as it ends. */
export function endedJob(
  state: Pick<LeadState, 'booking' | 'job'>,
  booking: Booking,
  status: JobStatus,
  at: string,
): Job {
  const current = state.job?.appointmentId === booking.appointmentId ? state.job : null;
  return { ...(current ?? { appointmentId: booking.appointmentId }), status, updatedAt: at };
}
