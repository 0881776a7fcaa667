import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

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

export const ZIdParamSchema = z.object({ id: z.string() });
