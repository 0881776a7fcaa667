import { z } from 'zod';
import '../http/schemas';

/** bcrypt reads at most 72 bytes: a longer password would be silently cut, so it is refused instead. */
export const ZPasswordSchema = z
  .string()
  .min(12, 'must be at least 12 characters')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= 72, 'must be at most 72 bytes');

export const ZEmailSchema = z.email('must be an email address').max(254);

export const ZSignInBodySchema = z.strictObject({
  email: z.string().min(1, 'is required').max(254),
  // Not the new-password rules: an old password of any length gets the same answer as a wrong one.
  password: z.string().min(1, 'is required').max(200),
  totpCode: z.string().max(10).optional(),
});

export const ZSignedInSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.string() }),
    business: z.object({ id: z.string(), name: z.string(), timeZone: z.string() }),
    /** Send as X-CSRF-Token on every change made with the session cookie. */
    csrfToken: z.string(),
  })
  .openapi('SignedIn');

export const ZAcceptInvitationBodySchema = z.strictObject({
  token: z.string().min(1, 'is required').max(200),
  password: ZPasswordSchema,
  name: z.string().trim().min(1, 'is required').max(200),
});

export const ZPasswordResetBodySchema = z.strictObject({ email: z.string().min(1, 'is required').max(254) });

export const ZPasswordResetCompleteBodySchema = z.strictObject({
  token: z.string().min(1, 'is required').max(200),
  password: ZPasswordSchema,
});

export const ZSessionListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        current: z.boolean(),
        createdAt: z.iso.datetime(),
        lastSeenAt: z.iso.datetime(),
        userAgent: z.string(),
      }),
    ),
  })
  .openapi('SessionList');

export const ZTotpSetupSchema = z.object({ secret: z.string(), otpauthUrl: z.string() }).openapi('TotpSetup');
export const ZTotpEnableBodySchema = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'must be 6 digits') });
