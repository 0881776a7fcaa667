import { z } from 'zod';
import { unsubscribeEmail } from '../../services/email/unsubscribe-email';
import type { ApiDeps } from '../deps';
import { defineRoute } from '../http/route';

export const ZUnsubscribeQuerySchema = z.object({
  token: z
    .string({ message: 'is required' })
    .min(1, 'is required')
    .max(200, 'is not a valid unsubscribe token')
    .openapi({ description: 'From the List-Unsubscribe URL of a follow-up email' }),
});

/** The target of follow-up emails' List-Unsubscribe header: mail apps POST here when the person unsubscribes. */
export function emailUnsubscribeRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/email/unsubscribe',
      tag: 'Email',
      summary: 'One-click unsubscribe from a business’s follow-up emails (RFC 8058)',
      description:
        'Sent by mail apps with the body `List-Unsubscribe=One-Click` (form-encoded); no API key, the signed token names the business and the lead. The address gets no more follow-up emails from that business. Repeating it answers 200 again.',
      security: 'none',
      query: ZUnsubscribeQuerySchema,
      responses: { 200: { description: 'Unsubscribed', schema: z.object({ unsubscribed: z.literal(true) }) } },
      handler: async ({ query }) => {
        await unsubscribeEmail({ db: deps.db, keyring: deps.privacyKeys?.keyring ?? null }, query.token);
        return { status: 200, body: { unsubscribed: true as const } };
      },
    }),
  ];
}
