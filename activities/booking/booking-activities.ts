import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/prisma';
import { withTenant, type Tx } from '../../db/tenant';
import { findFreeSlots, findTechnicianSlots, type TimeRange } from '../../domain/slots';
import { DAY_MS } from '../../domain/time';
import type { CalendarProvider } from '../../providers/calendar/calendar-provider';
import type { Language } from '../../domain/language';
import type { Slot } from '../../workflows/lead/definitions';
import { assignTechnician, lockBookings } from '../../services/technicians/assign-technician';
import { appointmentEventSummary, placeAppointmentEvent } from '../../services/technicians/place-appointment-event';
import { weeklyHours } from '../sms/business-facts';
import { formatSlot } from './slot-format';
import { loadTechnicians } from './technician-availability';

/** The soonest a lead can be booked: time for the business to get a tech there. */
const LEAD_TIME_MS = 2 * 60 * 60_000;
const SEARCH_DAYS = 14;

/** A business's connected calendar, if any (Google); the built-in calendar otherwise. */
export type CalendarResolver = (
  businessId: string,
) => Promise<{ provider: CalendarProvider; calendarId: string } | null>;

export function createBookingActivities({ db, calendarFor }: { db: Db; calendarFor: CalendarResolver }) {
  async function busyRanges(
    tx: Tx,
    businessId: string,
    from: Date,
    to: Date,
    exceptAppointmentId?: string,
  ): Promise<TimeRange[]> {
    const booked = await tx.appointment.findMany({
      where: {
        status: 'booked',
        startsAt: { lt: to },
        endsAt: { gt: from },
        ...(exceptAppointmentId ? { id: { not: exceptAppointmentId } } : {}),
      },
      select: { startsAt: true, endsAt: true },
    });
    const ranges = booked.map((a) => ({ start: a.startsAt, end: a.endsAt }));
    const calendar = await calendarFor(businessId);
    if (calendar) ranges.push(...(await calendar.provider.freeBusy({ calendarId: calendar.calendarId, from, to })));
    return ranges;
  }

  async function serviceFor(tx: Tx, serviceId?: string) {
    const services = await tx.service.findMany({ where: { active: true }, orderBy: { createdAt: 'asc' } });
    return services.find((s) => s.id === serviceId) ?? services[0] ?? null;
  }

  return {
    async findSlots(input: {
      businessId: string;
      leadId: string;
      timeZone: string;
      count: number;
      serviceId?: string;
      at: string;
      /** The lead's language, for the labels; English when absent. */
      language?: Language;
    }): Promise<Slot[]> {
      return withTenant(db, input.businessId, async (tx) => {
        const business = await tx.business.findUniqueOrThrow({ where: { id: input.businessId } });
        // A lead moving their appointment is offered times for its service (and the people who do it).
        const booked = input.serviceId
          ? null
          : await tx.appointment.findFirst({
              where: { leadId: input.leadId, status: 'booked' },
              select: { serviceId: true },
            });
        const service = await serviceFor(tx, input.serviceId ?? booked?.serviceId ?? undefined);
        const from = new Date(Date.parse(input.at) + LEAD_TIME_MS);
        const to = new Date(from.getTime() + SEARCH_DAYS * DAY_MS);
        const common = {
          holidays: (business.holidays as string[]) ?? [],
          timeZone: business.timeZone,
          durationMinutes: service?.durationMinutes ?? 60,
          bufferMinutes: business.bookingBufferMinutes,
          from,
          days: SEARCH_DAYS,
          count: input.count,
        };
        const technicians = await loadTechnicians(tx, {
          serviceId: service?.id ?? null,
          from,
          to,
          calendar: await calendarFor(input.businessId),
        });
        const slots = technicians
          ? findTechnicianSlots({ ...common, technicians })
          : findFreeSlots({
              ...common,
              hours: weeklyHours(business.businessHours),
              busy: await busyRanges(tx, input.businessId, from, to),
            });
        return slots.map((s) => ({
          start: s.start.toISOString(),
          end: s.end.toISOString(),
          label: formatSlot(s.start.toISOString(), input.timeZone, input.language),
        }));
      });
    },

    /**
     * Re-checks the slot at commit, under a per-business lock, so two leads never get the
     * same time. Moves the lead's existing appointment when one is given (reschedule).
     */
    async bookAppointment(input: {
      businessId: string;
      leadId: string;
      start: string;
      serviceId?: string;
      appointmentId?: string;
      timeZone: string;
      /** Workflow time: what "now" means for this lead. */
      at: string;
      /** The lead's language, for the label; English when absent. */
      language?: Language;
    }): Promise<
      | { ok: true; appointmentId: string; start: string; end: string; label: string; technicianName?: string }
      | { ok: false; reason: string }
    > {
      const outcome = await withTenant(db, input.businessId, async (tx) => {
        await lockBookings(tx, input.businessId);
        const business = await tx.business.findUniqueOrThrow({ where: { id: input.businessId } });
        const previous = input.appointmentId
          ? await tx.appointment.findUnique({ where: { id: input.appointmentId } })
          : null;
        // A moved appointment keeps its service (and so its length) unless another is named.
        const service = await serviceFor(tx, input.serviceId ?? previous?.serviceId ?? undefined);
        const start = new Date(input.start);
        const end = new Date(start.getTime() + (service?.durationMinutes ?? 60) * 60_000);
        const buffer = business.bookingBufferMinutes * 60_000;
        const { technicians, technician } = await assignTechnician(tx, {
          serviceId: service?.id ?? null,
          start,
          end,
          timeZone: business.timeZone,
          bufferMinutes: business.bookingBufferMinutes,
          calendar: await calendarFor(input.businessId),
          at: new Date(input.at),
          exceptAppointmentId: input.appointmentId,
          // A moved appointment keeps its person when they are free at the new time.
          keepTechnicianId: previous?.technicianId,
        });
        if (technicians) {
          if (!technician) return { ok: false as const, reason: 'slot_taken' };
        } else {
          const busy = await busyRanges(
            tx,
            input.businessId,
            new Date(start.getTime() - buffer),
            new Date(end.getTime() + buffer),
            input.appointmentId,
          );
          if (
            busy.some((b) => start.getTime() < b.end.getTime() + buffer && end.getTime() > b.start.getTime() - buffer)
          ) {
            return { ok: false as const, reason: 'slot_taken' };
          }
        }
        if (start.getTime() < Date.parse(input.at)) return { ok: false as const, reason: 'slot_in_past' };
        const appointment = previous
          ? await tx.appointment.update({
              where: { id: previous.id },
              data: {
                startsAt: start,
                endsAt: end,
                status: 'booked',
                ...(technician ? { technicianId: technician.id } : {}),
              },
            })
          : await tx.appointment.create({
              // The workflow names the appointment, so a retry after a crash finds this row.
              data: {
                id: input.appointmentId ?? randomUUID(),
                businessId: input.businessId,
                leadId: input.leadId,
                serviceId: service?.id ?? null,
                technicianId: technician?.id ?? null,
                startsAt: start,
                endsAt: end,
              },
            });
        await tx.lead.update({
          where: { id: input.leadId },
          data: { status: 'booked', lastActivityAt: new Date(input.at) },
        });
        return { ok: true as const, appointment, service, technician, withTechnicians: technicians !== null };
      });
      if (!outcome.ok) return outcome;
      const { appointment, service, technician } = outcome;
      const calendar = await calendarFor(input.businessId);
      if (calendar) {
        // With technicians the event goes to the assigned person's calendar (none for a builtin one).
        await placeAppointmentEvent(
          { db, businessId: input.businessId, calendar },
          {
            appointment,
            target: outcome.withTechnicians ? (technician?.calendarId ?? null) : calendar.calendarId,
            summary: appointmentEventSummary(service),
          },
        );
      }
      return {
        ok: true,
        appointmentId: appointment.id,
        start: appointment.startsAt.toISOString(),
        end: appointment.endsAt.toISOString(),
        label: formatSlot(appointment.startsAt.toISOString(), input.timeZone, input.language),
        // Only the first name leaves the database: it is what job texts use.
        ...(technician ? { technicianName: technician.name.trim().split(/\s+/)[0]! } : {}),
      };
    },

    async cancelAppointment(input: { businessId: string; leadId: string; appointmentId: string }): Promise<void> {
      const appointment = await withTenant(db, input.businessId, (tx) =>
        tx.appointment.update({ where: { id: input.appointmentId }, data: { status: 'cancelled' } }),
      );
      const calendar = await calendarFor(input.businessId);
      if (calendar && appointment.externalEventId) {
        await calendar.provider.deleteEvent({
          calendarId: appointment.externalCalendarId ?? calendar.calendarId,
          eventId: appointment.externalEventId,
        });
      }
    },

    /** After the visit: the outcome the business marks now, else completed unless the row was marked a no-show. */
    async settleAppointment(input: {
      businessId: string;
      leadId: string;
      appointmentId: string;
      outcome?: 'completed' | 'no_show';
    }): Promise<'completed' | 'no_show'> {
      return withTenant(db, input.businessId, async (tx) => {
        const appointment = await tx.appointment.findUniqueOrThrow({ where: { id: input.appointmentId } });
        const outcome = input.outcome ?? (appointment.status === 'no_show' ? 'no_show' : 'completed');
        if (input.outcome ? appointment.status !== outcome : appointment.status === 'booked')
          await tx.appointment.update({ where: { id: appointment.id }, data: { status: outcome } });
        await tx.lead.update({ where: { id: input.leadId }, data: { status: outcome } });
        return outcome;
      });
    },
  };
}
