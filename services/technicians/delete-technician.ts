import type { CalendarResolver } from '../../activities/booking/booking-activities';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import type { Logger } from '../../logging/logger';
import { notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import type { LeadWorkflowClient } from '../leads/lead-workflow-client';
import { assignTechnician, lockBookings } from './assign-technician';
import { appointmentEventSummary, placeAppointmentEvent } from './place-appointment-event';
import { startUnassignedAlerts, storeUnassignedAlert, type StartAlertDeps } from './unassigned-appointment-alert';

export interface TechnicianRemoval {
  /** Upcoming appointments handed to another qualified person free at their time. */
  reassigned: number;
  /** Upcoming appointments nobody could take: still booked, unassigned, one alert each. */
  unassigned: number;
}

export interface DeleteTechnicianDeps {
  db: Db;
  now: () => Date;
  log: Logger;
  /** The business's Google calendar: free/busy of the people taking over, and where events move. */
  calendarFor: CalendarResolver;
  /** Starts each unassigned appointment's alert workflow (every channel the business turned on). */
  alerts: StartAlertDeps;
  /** Tells each lead's workflow who now takes its visit. */
  leads: Pick<LeadWorkflowClient, 'technicianChanged'>;
}

/**
 * Removes a person with their services and time off. Each of their appointments still to
 * come goes, under the booking lock and by the booking's own rule, to another person who
 * does its service and is free then (least busy that week first); one nobody can take stays
 * booked, unassigned, and alerts the business. Each lead's workflow then names the new
 * person's first name (or nobody) for "on my way". Their past appointments lose the link (the
 * foreign key sets it null). Deactivating (active: false) keeps everything assigned instead.
 */
export async function deleteTechnician(
  deps: DeleteTechnicianDeps,
  input: { actor: Actor; id: string },
): Promise<TechnicianRemoval> {
  const { businessId } = input.actor;
  const calendar = await deps.calendarFor(businessId);
  const now = deps.now();
  const outcome = await withTenant(deps.db, businessId, async (tx) => {
    await lockBookings(tx, businessId);
    const business = await tx.business.findUniqueOrThrow({
      where: { id: businessId },
      select: { timeZone: true, bookingBufferMinutes: true },
    });
    // Inactive from here on: nobody hands an appointment back to the person leaving.
    const { count } = await tx.technician.updateMany({ where: { id: input.id }, data: { active: false } });
    if (count === 0) throw notFound('technician');
    const upcoming = await tx.appointment.findMany({
      where: { technicianId: input.id, status: 'booked', startsAt: { gt: now } },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
      include: { service: { select: { name: true } } },
    });
    const moved: Array<{ appointment: (typeof upcoming)[number]; calendarId: string | null; name: string }> = [];
    const left: typeof upcoming = [];
    const alerts = [];
    for (const appointment of upcoming) {
      const { technician } = await assignTechnician(tx, {
        serviceId: appointment.serviceId,
        start: appointment.startsAt,
        end: appointment.endsAt,
        timeZone: business.timeZone,
        bufferMinutes: business.bookingBufferMinutes,
        calendar,
        at: now,
        exceptAppointmentId: appointment.id,
        ownEvent:
          calendar && appointment.externalEventId
            ? {
                calendarId: appointment.externalCalendarId ?? calendar.calendarId,
                start: appointment.startsAt,
                end: appointment.endsAt,
              }
            : null,
      });
      if (technician) {
        await tx.appointment.update({ where: { id: appointment.id }, data: { technicianId: technician.id } });
        moved.push({ appointment, calendarId: technician.calendarId, name: technician.name });
      } else {
        left.push(appointment);
        alerts.push(
          await storeUnassignedAlert(tx, {
            businessId,
            technicianId: input.id,
            appointment,
            serviceName: appointment.service?.name ?? null,
          }),
        );
      }
    }
    await tx.technician.delete({ where: { id: input.id } });
    await recordAudit(tx, input.actor, { action: 'delete', entity: 'technician', entityId: input.id });
    return { moved, left, alerts };
  });

  // The hand-over is committed; the calendars, the leads' workflows and the alerts follow it, each failure only logged.
  if (calendar) {
    for (const { appointment, calendarId } of outcome.moved) {
      await placeAppointmentEvent(
        { db: deps.db, businessId, calendar },
        { appointment, target: calendarId, summary: appointmentEventSummary(appointment.service) },
      ).catch((err: Error) =>
        deps.log.warn(
          { businessId, appointmentId: appointment.id, error: err.message },
          'reassigned appointment: calendar event not moved',
        ),
      );
    }
  }
  const changes = [
    ...outcome.moved.map(({ appointment, name }) => ({ appointment, technicianName: firstName(name) })),
    ...outcome.left.map((appointment) => ({ appointment, technicianName: null })),
  ];
  for (const { appointment, technicianName } of changes)
    // A lead whose workflow is gone (finished, or never started) has nobody to tell.
    await deps.leads
      .technicianChanged({ leadId: appointment.leadId, appointmentId: appointment.id, technicianName })
      .catch((err: Error) =>
        deps.log.warn(
          { businessId, appointmentId: appointment.id, error: err.message },
          'reassigned appointment: lead workflow not told',
        ),
      );
  await startUnassignedAlerts(deps.alerts, outcome.alerts).catch((err: Error) =>
    deps.log.warn({ businessId, error: err.message }, 'unassigned appointment alerts: not sent beyond the inbox'),
  );
  return { reassigned: outcome.moved.length, unassigned: outcome.alerts.length };
}

/** Only the first name goes into the lead's workflow (and its texts). */
const firstName = (name: string): string | null => name.trim().split(/\s+/)[0] || null;
