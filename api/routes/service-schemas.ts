import { z } from 'zod';
import { ZServiceInputSchema } from './business-schemas';
import { text } from './lead-schemas';

const ZServiceFields = ZServiceInputSchema.omit({ id: true }).extend({
  keywords: z
    .array(text(80).pipe(z.string().min(1, 'must not be empty')))
    .max(20, 'at most 20 keywords')
    .default([])
    .openapi({
      description:
        'Other words leads use for it, in English or Spanish ("boiler", "calentador"): a text naming them books this service',
    }),
});

export const ZCreateServiceSchema = ZServiceFields.openapi('CreateService');
export const ZPatchServiceSchema = z
  .strictObject({
    name: ZServiceFields.shape.name,
    durationMinutes: ZServiceFields.shape.durationMinutes,
    priceCents: z.number().int().min(0).max(10_000_000).nullable(),
    priceNote: text(200).nullable(),
    active: z.boolean(),
    keywords: ZServiceFields.shape.keywords.unwrap(),
  })
  .partial()
  .openapi('PatchService');

export const ZServiceViewSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    durationMinutes: z.number().int(),
    priceCents: z.number().int().nullable(),
    priceNote: z.string().nullable(),
    active: z.boolean(),
    keywords: z.array(z.string()),
    technicianIds: z.array(z.uuid()).describe('The people who do it (their serviceIds name it)'),
    createdAt: z.iso.datetime(),
  })
  .openapi('Service');
