import { DateTime } from 'luxon';
import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import type { ApiDeps } from '../deps';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';
import { ZInputDaySchema } from '../http/schemas';
import { DAY_MS } from '../../domain/time';
import { ZTimeZoneSchema } from './business-schemas';

/** Postgres' invalid_parameter_value: a zone Intl knows and Postgres' own tz database does not. */
const isUnknownZone = (err: unknown) => /time zone .* not recognized/i.test((err as Error | null)?.message ?? '');

const ZDaySchema = z.object({
  day: z.iso.date(),
  leads: z.number(),
  medianFirstReplySeconds: z.number().nullable(),
  p90FirstReplySeconds: z.number().nullable(),
  replyRate: z.number().nullable(),
  bookingRate: z.number().nullable(),
  optOutRate: z.number().nullable(),
});

const ZAnalyticsSchema = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    timeZone: z.string().openapi({ description: 'The zone the days are in' }),
    totals: ZDaySchema.omit({ day: true }),
    byStatus: z.record(z.string(), z.number()),
    bySource: z.record(z.string(), z.number()),
    byDay: z.array(ZDaySchema),
  })
  .openapi('Analytics');

interface DayRow {
  day: string | null;
  leads: bigint;
  median: number | null;
  p90: number | null;
  replied: bigint;
  booked: bigint;
  opted_out: bigint;
}

const rate = (n: bigint, d: bigint) => (d > 0n ? Number(n) / Number(d) : null);

export function analyticsRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/analytics',
      tag: 'Analytics',
      summary:
        'Dashboard figures: leads by status and source, time to first reply, reply, booking and opt-out rates, by day in the business’s time zone (or `tz`)',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      query: z.object({
        from: ZInputDaySchema.optional().openapi({ description: 'First day; defaults to 29 days before `to`' }),
        to: ZInputDaySchema.optional().openapi({
          description: 'Last day (at most 366 days after `from`); defaults to today in the zone',
        }),
        tz: ZTimeZoneSchema.optional().openapi({
          description: 'IANA time zone the days are counted in, e.g. Europe/London; defaults to the business’s',
          example: 'America/Chicago',
        }),
      }),
      responses: { 200: { description: 'Figures', schema: ZAnalyticsSchema } },
      handler: async ({ query, auth }) => {
        const tz =
          query.tz ??
          (
            await withTenant(deps.db, auth.businessId, (tx) =>
              tx.business.findUniqueOrThrow({ where: { id: auth.businessId }, select: { timeZone: true } }),
            )
          ).timeZone;
        const to = query.to ?? DateTime.fromJSDate(deps.now(), { zone: tz }).toISODate()!;
        const from = query.from ?? new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
        if (from > to)
          throw new AppError('bad_request', 'from: must not be after to', [
            { field: 'from', reason: 'must not be after to' },
          ]);
        if (Date.parse(to) - Date.parse(from) > 366 * DAY_MS)
          throw new AppError('bad_request', 'from: the range may span at most 366 days', [
            { field: 'from', reason: 'the range may span at most 366 days' },
          ]);
        // Midnight to midnight in the zone: a day of 23 or 25 hours where the clocks change.
        const start = DateTime.fromISO(from, { zone: tz }).startOf('day').toJSDate();
        const end = DateTime.fromISO(to, { zone: tz }).plus({ days: 1 }).startOf('day').toJSDate();
        const figures = withTenant(deps.db, auth.businessId, async (tx) => {
          // One pass per lead: its first reply, whether it replied, booked, or opted out.
          const days = await tx.$queryRaw<DayRow[]>`
            WITH per_lead AS (
              SELECT l.id, l.created_at,
                (SELECT min(m.sent_at) FROM messages m WHERE m.lead_id = l.id AND m.direction = 'outbound' AND m.sent_at IS NOT NULL) AS first_reply_at,
                EXISTS (SELECT 1 FROM messages m WHERE m.lead_id = l.id AND m.direction = 'inbound') AS replied,
                EXISTS (SELECT 1 FROM appointments a WHERE a.lead_id = l.id) AS booked,
                EXISTS (SELECT 1 FROM suppressions s WHERE s.business_id = l.business_id AND s.phone = l.phone) AS opted_out
              FROM leads l
              WHERE l.created_at >= ${start} AND l.created_at < ${end}
            )
            SELECT to_char(date_trunc('day', created_at AT TIME ZONE ${tz}), 'YYYY-MM-DD') AS day,
                   count(*) AS leads,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_reply_at - created_at)) AS median,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_reply_at - created_at)) AS p90,
                   count(*) FILTER (WHERE replied) AS replied,
                   count(*) FILTER (WHERE booked) AS booked,
                   count(*) FILTER (WHERE opted_out) AS opted_out
            FROM per_lead
            GROUP BY ROLLUP (1)
            ORDER BY 1 NULLS LAST`;
          const statuses = await tx.lead.groupBy({
            by: ['status'],
            where: { createdAt: { gte: start, lt: end } },
            _count: { _all: true },
          });
          const sources = await tx.lead.groupBy({
            by: ['source'],
            where: { createdAt: { gte: start, lt: end } },
            _count: { _all: true },
          });
          return { days, statuses, sources };
        });
        const { days, statuses, sources } = await figures.catch((err: unknown) => {
          if (!isUnknownZone(err)) throw err;
          throw new AppError('bad_request', 'tz: is not a time zone this server knows', [
            { field: 'query.tz', reason: 'is not a time zone this server knows' },
          ]);
        });
        const shape = (r: DayRow) => ({
          leads: Number(r.leads),
          medianFirstReplySeconds: r.median === null ? null : Number(r.median),
          p90FirstReplySeconds: r.p90 === null ? null : Number(r.p90),
          replyRate: rate(r.replied, r.leads),
          bookingRate: rate(r.booked, r.leads),
          optOutRate: rate(r.opted_out, r.leads),
        });
        const total = days.find((d) => d.day === null);
        return {
          status: 200,
          body: {
            from,
            to,
            timeZone: tz,
            totals: total
              ? shape(total)
              : {
                  leads: 0,
                  medianFirstReplySeconds: null,
                  p90FirstReplySeconds: null,
                  replyRate: null,
                  bookingRate: null,
                  optOutRate: null,
                },
            byStatus: Object.fromEntries(statuses.map((s) => [s.status, s._count._all])),
            bySource: Object.fromEntries(sources.map((s) => [s.source, s._count._all])),
            byDay: days.filter((d) => d.day !== null).map((d) => ({ day: d.day!, ...shape(d) })),
          },
        };
      },
    }),
  ];
}
