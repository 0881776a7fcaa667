import { DateTime } from 'luxon';
import type { Tx } from '../../db/tenant';
import type { TechnicianAvailability, TimeRange, WeeklyHours } from '../../domain/slots';
import type { CalendarProvider } from '../../providers/calendar/calendar-provider';

export interface BookableTechnician extends TechnicianAvailability {
  name: string;
  lastAssignedAt: Date | null;
  /** The Google calendar their events go to; null: the built-in calendar only. */
  calendarId: string | null;
}

type Calendar = { provider: CalendarProvider; calendarId: string } | null;

/**
 * The business's active technicians qualified for the service (all of them when it names
 * none), oldest first, each with what keeps them busy between `from` and `to`: their booked
 * appointments, appointments booked before the business had technicians (those block
 * everyone: nobody knows whose they are), their time off and their calendar's busy times.
 * Null when the business has no active technician: it books from its hours, as before.
 */
export async function loadTechnicians(
  tx: Tx,
  opts: {
    serviceId: string | null;
    from: Date;
    to: Date;
    calendar: Calendar;
    exceptAppointmentId?: string;
    /** Lock the qualified people's rows until the transaction ends (booking). */
    forUpdate?: boolean;
  },
): Promise<BookableTechnician[] | null> {
  const active = await tx.technician.findMany({
    where: { active: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { services: { select: { serviceId: true } } },
  });
  if (active.length === 0) return null;
  const qualified = opts.serviceId
    ? active.filter((t) => t.services.some((s) => s.serviceId === opts.serviceId))
    : active;
  if (qualified.length === 0) return [];
  const ids = qualified.map((t) => t.id);
  // Two leads never get one person's slot: a booking holds its candidates' rows until it commits.
  if (opts.forUpdate)
    await tx.$queryRaw`SELECT id FROM technicians WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
  // One after another: a transaction's queries share its one connection anyway.
  const appointments = await tx.appointment.findMany({
    where: {
      status: 'booked',
      startsAt: { lt: opts.to },
      endsAt: { gt: opts.from },
      OR: [{ technicianId: { in: ids } }, { technicianId: null }],
      ...(opts.exceptAppointmentId ? { id: { not: opts.exceptAppointmentId } } : {}),
    },
    select: { startsAt: true, endsAt: true, technicianId: true },
  });
  const timeOff = await tx.technicianTimeOff.findMany({
    where: { technicianId: { in: ids }, startsAt: { lt: opts.to }, endsAt: { gt: opts.from } },
    select: { technicianId: true, startsAt: true, endsAt: true },
  });
  const calendarBusy = new Map<string, TimeRange[]>();
  for (const t of qualified) {
    const calendarId = calendarIdOf(t, opts.calendar);
    if (!calendarId || calendarBusy.has(calendarId)) continue;
    calendarBusy.set(calendarId, await opts.calendar!.provider.freeBusy({ calendarId, from: opts.from, to: opts.to }));
  }
  return qualified.map((t) => {
    const calendarId = calendarIdOf(t, opts.calendar);
    return {
      id: t.id,
      name: t.name,
      lastAssignedAt: t.lastAssignedAt,
      calendarId,
      hours: (t.weeklyHours ?? {}) as WeeklyHours,
      busy: [
        ...appointments
          .filter((a) => a.technicianId === t.id || a.technicianId === null)
          .map((a) => ({ start: a.startsAt, end: a.endsAt })),
        ...(calendarId ? (calendarBusy.get(calendarId) ?? []) : []),
      ],
      timeOff: timeOff.filter((o) => o.technicianId === t.id).map((o) => ({ start: o.startsAt, end: o.endsAt })),
    };
  });
}

/** A technician on Google uses the calendar chosen for them, else the business's; builtin ones none. */
function calendarIdOf(t: { calendar: string; googleCalendarId: string | null }, calendar: Calendar): string | null {
  if (t.calendar !== 'google' || !calendar) return null;
  return t.googleCalendarId ?? calendar.calendarId;
}

/** Booked appointments per technician in the week (Monday to Sunday, the business's zone) of `at`. */
export async function weekLoad(
  tx: Tx,
  opts: { technicianIds: string[]; at: Date; timeZone: string; exceptAppointmentId?: string },
): Promise<Map<string, number>> {
  const week = DateTime.fromJSDate(opts.at, { zone: opts.timeZone }).startOf('week');
  const rows = await tx.appointment.groupBy({
    by: ['technicianId'],
    where: {
      technicianId: { in: opts.technicianIds },
      status: { in: ['booked', 'completed'] },
      startsAt: { gte: week.toJSDate(), lt: week.plus({ weeks: 1 }).toJSDate() },
      ...(opts.exceptAppointmentId ? { id: { not: opts.exceptAppointmentId } } : {}),
    },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.technicianId!, r._count._all]));
}
