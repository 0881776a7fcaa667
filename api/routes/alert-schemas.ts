import { z } from 'zod';
import '../http/schemas';
import { ALERT_KINDS } from '../../services/alerts/alert-kinds';

export const ZAlertSchema = z
  .object({
    id: z.string(),
    kind: z.enum(ALERT_KINDS),
    reason: z.string(),
    leadId: z.string().nullable(),
    privacyRequestId: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    read: z.boolean(),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Alert');

export const ZAlertListQuerySchema = z.object({
  unread: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
