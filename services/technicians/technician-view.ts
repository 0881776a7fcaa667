import type { Tx } from '../../db/tenant';
import type { WeeklyHours } from '../../domain/slots';

export interface TechnicianView {
  id: string;
  name: string;
  active: boolean;
  weeklyHours: WeeklyHours;
  calendar: 'builtin' | 'google';
  googleCalendarId: string | null;
  serviceIds: string[];
  timeOff: Array<{ id: string; startsAt: string; endsAt: string; reason: string | null }>;
  createdAt: string;
}

/** The business's technicians (one when `id` is given), oldest first, with their services and time off still to come. */
export async function technicianViews(tx: Tx, opts: { now: Date; id?: string }): Promise<TechnicianView[]> {
  const rows = await tx.technician.findMany({
    where: opts.id ? { id: opts.id } : {},
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: {
      services: { select: { serviceId: true }, orderBy: { serviceId: 'asc' } },
      timeOff: { where: { endsAt: { gt: opts.now } }, orderBy: { startsAt: 'asc' } },
    },
  });
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    active: t.active,
    weeklyHours: (t.weeklyHours ?? {}) as WeeklyHours,
    calendar: t.calendar === 'google' ? 'google' : 'builtin',
    googleCalendarId: t.googleCalendarId,
    serviceIds: t.services.map((s) => s.serviceId),
    timeOff: t.timeOff.map((o) => ({
      id: o.id,
      startsAt: o.startsAt.toISOString(),
      endsAt: o.endsAt.toISOString(),
      reason: o.reason,
    })),
    createdAt: t.createdAt.toISOString(),
  }));
}
