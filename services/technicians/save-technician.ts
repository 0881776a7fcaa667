import type { Prisma } from '@prisma/client';
import type { Db } from '../../db/prisma';
import { withTenant, type Tx } from '../../db/tenant';
import type { WeeklyHours } from '../../domain/slots';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { technicianViews, type TechnicianView } from './technician-view';

export interface TechnicianInput {
  name?: string;
  active?: boolean;
  weeklyHours?: WeeklyHours;
  calendar?: 'builtin' | 'google';
  googleCalendarId?: string | null;
  serviceIds?: string[];
}

/** Checks a Google calendar id against the connected account's calendars (writable ones only). */
export type GoogleCalendarCheck = (businessId: string, calendarId: string) => Promise<void>;

const badField = (field: string, reason: string) =>
  new AppError('bad_request', `${field}: ${reason}`, [{ field, reason }]);

async function setServices(tx: Tx, businessId: string, technicianId: string, serviceIds: string[]) {
  const unique = [...new Set(serviceIds)];
  const found = await tx.service.count({ where: { id: { in: unique } } });
  if (found !== unique.length) throw badField('serviceIds', 'names a service this business does not have');
  await tx.technicianService.deleteMany({ where: { technicianId } });
  await tx.technicianService.createMany({
    data: unique.map((serviceId) => ({ businessId, technicianId, serviceId })),
  });
}

/**
 * An owner adds a bookable person (without hours of their own they work the business hours)
 * or changes one; `serviceIds` replaces the list of what they do. A Google calendar is
 * checked with the connected account before it is kept.
 */
export async function saveTechnician(
  deps: { db: Db; now: () => Date; checkGoogleCalendar: GoogleCalendarCheck },
  input: { actor: Actor; id?: string; technician: TechnicianInput },
): Promise<TechnicianView> {
  const { actor, technician: t } = input;
  const businessId = actor.businessId;
  if (t.calendar === 'google' || (t.calendar === undefined && t.googleCalendarId)) {
    if (t.googleCalendarId) await deps.checkGoogleCalendar(businessId, t.googleCalendarId);
  }
  return withTenant(deps.db, businessId, async (tx) => {
    const data = {
      ...(t.name !== undefined ? { name: t.name } : {}),
      ...(t.active !== undefined ? { active: t.active } : {}),
      ...(t.weeklyHours !== undefined ? { weeklyHours: t.weeklyHours as Prisma.InputJsonValue } : {}),
      ...(t.calendar !== undefined ? { calendar: t.calendar } : {}),
      ...(t.googleCalendarId !== undefined ? { googleCalendarId: t.googleCalendarId } : {}),
      // A person back on the built-in calendar keeps no Google calendar.
      ...(t.calendar === 'builtin' ? { googleCalendarId: null } : {}),
    };
    let id = input.id;
    if (id) {
      const { count } = await tx.technician.updateMany({ where: { id }, data });
      if (count === 0) throw notFound('technician');
    } else {
      const business = await tx.business.findUniqueOrThrow({
        where: { id: businessId },
        select: { businessHours: true },
      });
      const created = await tx.technician.create({
        data: {
          businessId,
          name: t.name!,
          weeklyHours: business.businessHours as Prisma.InputJsonValue,
          ...data,
        },
        select: { id: true },
      });
      id = created.id;
    }
    if (t.serviceIds) await setServices(tx, businessId, id, t.serviceIds);
    await recordAudit(tx, actor, { action: input.id ? 'update' : 'create', entity: 'technician', entityId: id });
    return (await technicianViews(tx, { now: deps.now(), id }))[0]!;
  });
}
