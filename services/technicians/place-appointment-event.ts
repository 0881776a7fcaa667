import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import type { CalendarProvider } from '../../providers/calendar/calendar-provider';

/** What a booked appointment is called on a calendar. */
export const appointmentEventSummary = (service: { name: string } | null) =>
  service ? `${service.name} (leadflow)` : 'Appointment (leadflow)';

/**
 * Puts an appointment's event on the `target` calendar (null: none, a built-in person):
 * moved in place when it is already there, else taken off the calendar it is on and
 * created on the new one, the row remembering where it now is.
 */
export async function placeAppointmentEvent(
  deps: { db: Db; businessId: string; calendar: { provider: CalendarProvider; calendarId: string } },
  input: {
    appointment: {
      id: string;
      startsAt: Date;
      endsAt: Date;
      externalEventId: string | null;
      externalCalendarId: string | null;
    };
    target: string | null;
    summary: string;
  },
): Promise<void> {
  const { provider } = deps.calendar;
  const { appointment, target } = input;
  const current = appointment.externalEventId ? (appointment.externalCalendarId ?? deps.calendar.calendarId) : null;
  if (current && current === target) {
    await provider.moveEvent({
      calendarId: target,
      eventId: appointment.externalEventId!,
      start: appointment.startsAt,
      end: appointment.endsAt,
    });
    return;
  }
  if (!current && !target) return;
  if (current) await provider.deleteEvent({ calendarId: current, eventId: appointment.externalEventId! });
  const event = target
    ? await provider.createEvent({
        calendarId: target,
        start: appointment.startsAt,
        end: appointment.endsAt,
        summary: input.summary,
        appointmentId: appointment.id,
      })
    : null;
  await withTenant(deps.db, deps.businessId, (tx) =>
    tx.appointment.update({
      where: { id: appointment.id },
      data: event
        ? { externalEventId: event.eventId, calendar: 'google', externalCalendarId: target }
        : { externalEventId: null, calendar: 'builtin', externalCalendarId: null },
    }),
  );
}
