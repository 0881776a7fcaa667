import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { DAY_MS } from '../../domain/time';
import { audit } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';

const at = (what: string) =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO-8601 time with a zone, e.g. 2026-03-02T05:00:00Z' })
    .openapi({ description: what, example: '2026-03-02T05:00:00Z' });

export const ZAppointmentListItemSchema = z
  .object({
    id: z.string(),
    leadId: z.string(),
    leadName: z.string().nullable(),
    serviceName: z.string().nullable(),
    status: z.enum(['booked', 'cancelled', 'completed', 'no_show']),
    start: z.iso.datetime(),
    end: z.iso.datetime(),
  })
  .openapi('AppointmentListItem');

/** The most a week view (or a month's list) asks for at once. */
const MAX_RANGE_DAYS = 42;

/**
 * The business's appointments that start in [from, to), for the app's week view. The
 * client computes the range in the business's time zone; the server only compares instants.
 */
export function appointmentListRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/appointments',
      tag: 'Appointments',
      summary: 'Appointments starting in a time range (at most 42 days), earliest first, with the lead’s name',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      query: z.object({ from: at('First instant (inclusive)'), to: at('Last instant (exclusive)') }),
      responses: {
        200: { description: 'Appointments', schema: z.object({ data: z.array(ZAppointmentListItemSchema) }) },
      },
      handler: async ({ query, auth, req }) => {
        const from = new Date(query.from);
        const to = new Date(query.to);
        if (to <= from)
          throw new AppError('bad_request', 'to: must be after from', [{ field: 'to', reason: 'must be after from' }]);
        if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
          throw new AppError('bad_request', `to: the range may span at most ${MAX_RANGE_DAYS} days`, [
            { field: 'to', reason: `the range may span at most ${MAX_RANGE_DAYS} days` },
          ]);
        const rows = await withTenant(deps.db, auth.businessId, async (tx) => {
          const found = await tx.appointment.findMany({
            where: { startsAt: { gte: from, lt: to } },
            orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
            take: 1000,
            include: { lead: { select: { name: true, erasedAt: true } }, service: { select: { name: true } } },
          });
          await audit(tx, auth, { action: 'list', entity: 'appointment' }, clientAddress(req));
          return found;
        });
        return {
          status: 200,
          body: {
            data: rows.map((a) => ({
              id: a.id,
              leadId: a.leadId,
              leadName: a.lead.erasedAt ? null : a.lead.name,
              serviceName: a.service?.name ?? null,
              status: a.status as 'booked' | 'cancelled' | 'completed' | 'no_show',
              start: a.startsAt.toISOString(),
              end: a.endsAt.toISOString(),
            })),
          },
        };
      },
    }),
  ];
}
