import { z } from 'zod';
import '../http/schemas';
import { PERSON_ROLES } from '../../domain/roles';
import { ZEmailSchema } from './auth-schemas';

export const ZPersonRoleSchema = z.enum(PERSON_ROLES, { message: `must be one of ${PERSON_ROLES.join(', ')}` });

export const ZInvitationBodySchema = z.strictObject({ email: ZEmailSchema, role: ZPersonRoleSchema });

export const ZInvitationSchema = z
  .object({ id: z.string(), email: z.string(), role: z.string(), expiresAt: z.iso.datetime() })
  .openapi('Invitation');

export const ZPersonSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
    createdAt: z.iso.datetime(),
    lastSignInAt: z.iso.datetime().nullable(),
    totpEnabled: z.boolean(),
  })
  .openapi('Person');

export const ZPersonListSchema = z.object({ items: z.array(ZPersonSchema) }).openapi('PersonList');

export const ZPersonPatchSchema = z.strictObject({ role: ZPersonRoleSchema });
