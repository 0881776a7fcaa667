import { useQuery } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';
import type { components } from '../../api/schema';

export type Analytics = components['schemas']['Analytics'];
export type DayFigures = Analytics['byDay'][number];

/** GET /v1/analytics with days bucketed in the business's time zone. */
export function useAnalytics(from: string, to: string, timeZone: string) {
  return useQuery({
    queryKey: ['analytics', from, to, timeZone],
    queryFn: async (): Promise<Analytics> => {
      const query = { from, to, tz: timeZone };
      const { data, error } = await api.GET('/v1/analytics', { params: { query } });
      if (error || !data) throw new Error(problemText(error, 'The figures could not be loaded.'));
      return data;
    },
  });
}

/** Every day of the range, a day without leads included (the API lists only days with some). */
export function fillDays(days: string[], byDay: DayFigures[]): DayFigures[] {
  const known = new Map(byDay.map((d) => [d.day, d]));
  return days.map(
    (day) =>
      known.get(day) ?? {
        day,
        leads: 0,
        medianFirstReplySeconds: null,
        p90FirstReplySeconds: null,
        replyRate: null,
        bookingRate: null,
        optOutRate: null,
      },
  );
}
