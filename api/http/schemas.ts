import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { isUuid } from '../../domain/ids';

extendZodWithOpenApi(z);

export const ZErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'bad_request' }),
      message: z.string().openapi({ example: 'phone: is not a valid number for its country' }),
      details: z.unknown().nullable(),
    }),
  })
  .openapi('Error');

/** Opaque cursor pagination: `next` is null on the last page. */
export const ZPageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

export const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next: z.string().nullable() });

/**
 * Every id in a path, by the one id rule (domain/ids): a UUID. A path whose id is not one
 * names nothing, so mountRoutes answers 404 (as for another tenant's id), naming the field.
 */
export const ZPathIdSchema = z
  .string()
  .refine(isUuid, 'must be an id (a UUID)')
  .openapi({ type: 'string', format: 'uuid', example: '3f2a8c1e-9b4d-4e7a-8c21-5d6f7a8b9c0d' });
export const ZIdParamSchema = z.object({ id: ZPathIdSchema });

/**
 * The days and times the API takes as input: from 2000-01-01 up to, not including,
 * 2100-01-01. Postgres, JavaScript and Prisma each reach a different limit past year 9999;
 * nothing leadflow stores is outside this range.
 */
export const DATE_MIN = '2000-01-01';
export const DATE_MAX = '2100-01-01';
const DATE_MIN_MS = Date.parse(`${DATE_MIN}T00:00:00Z`);
const DATE_MAX_MS = Date.parse(`${DATE_MAX}T00:00:00Z`);

export const inDateRange = (d: Date): boolean => d.getTime() >= DATE_MIN_MS && d.getTime() < DATE_MAX_MS;

/** A calendar day (YYYY-MM-DD) within the range above. */
export const ZInputDaySchema = z.iso
  .date({ message: 'must be a date as YYYY-MM-DD' })
  .refine((d) => d >= DATE_MIN && d < DATE_MAX, `must be from ${DATE_MIN} and before ${DATE_MAX}`)
  .openapi({ type: 'string', format: 'date', example: '2026-03-01' });
