import { loadTechnicians, weekLoad, type BookableTechnician } from '../../activities/booking/technician-availability';
import type { Tx } from '../../db/tenant';
import { isTechnicianFree, pickTechnician } from '../../domain/slots';

type Calendar = Parameters<typeof loadTechnicians>[1]['calendar'];

/**
 * Everything that gives a business's appointment a time or a person takes this lock first
 * (booking, moving, a removed person's appointments changing hands): one at a time per business.
 */
export async function lockBookings(tx: Tx, businessId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`leadflow.booking.${businessId}`}))`;
}

/**
 * Who takes an appointment from `start` to `end`: the active people qualified for the
 * service and free then (their rows locked until the transaction ends), `keepTechnicianId`
 * when they are among them, else the least busy that week, then whoever was assigned
 * longest ago (their `lastAssignedAt` becomes `at`). `technicians` is null when the
 * business has no active person (it books from its own hours); `technician` is null when
 * nobody qualified is free.
 */
export async function assignTechnician(
  tx: Tx,
  opts: {
    serviceId: string | null;
    start: Date;
    end: Date;
    timeZone: string;
    bufferMinutes: number;
    calendar: Calendar;
    at: Date;
    /** The appointment being moved or handed over: its own time does not keep anyone busy. */
    exceptAppointmentId?: string;
    keepTechnicianId?: string | null;
    /**
     * The handed-over appointment's own calendar event: a person whose calendar is that one
     * (the business's, shared) is not kept busy by it. One busy period of exactly its time is
     * set aside, so an appointment of theirs at that very time still counts (another event at
     * exactly its time, merged with it by free/busy, would not: rare, as it blocked booking too).
     */
    ownEvent?: { calendarId: string; start: Date; end: Date } | null;
  },
): Promise<{ technicians: BookableTechnician[] | null; technician: BookableTechnician | null }> {
  const buffer = opts.bufferMinutes * 60_000;
  const technicians = await loadTechnicians(tx, {
    serviceId: opts.serviceId,
    from: new Date(opts.start.getTime() - buffer),
    to: new Date(opts.end.getTime() + buffer),
    calendar: opts.calendar,
    exceptAppointmentId: opts.exceptAppointmentId,
    forUpdate: true,
  });
  if (!technicians) return { technicians, technician: null };
  const own = opts.ownEvent;
  if (own)
    for (const t of technicians) {
      if (t.calendarId !== own.calendarId) continue;
      const i = t.busy.findIndex(
        (b) => b.start.getTime() === own.start.getTime() && b.end.getTime() === own.end.getTime(),
      );
      if (i >= 0) t.busy.splice(i, 1);
    }
  const rules = { timeZone: opts.timeZone, bufferMinutes: opts.bufferMinutes };
  const free = technicians.filter((t) => isTechnicianFree(t, opts.start.getTime(), opts.end.getTime(), rules));
  const kept = free.find((t) => t.id === opts.keepTechnicianId);
  if (kept) return { technicians, technician: kept };
  if (free.length === 0) return { technicians, technician: null };
  const load = await weekLoad(tx, {
    technicianIds: free.map((t) => t.id),
    at: opts.start,
    timeZone: opts.timeZone,
    exceptAppointmentId: opts.exceptAppointmentId,
  });
  const technician = pickTechnician(free.map((t) => ({ ...t, weekAppointments: load.get(t.id) ?? 0 })));
  if (technician) await tx.technician.update({ where: { id: technician.id }, data: { lastAssignedAt: opts.at } });
  return { technicians, technician };
}
