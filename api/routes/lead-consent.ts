import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import { isUuid } from '../../domain/ids';
import { audit } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { ZLeadIdParamsSchema } from './lead-schemas';

const ZConsentRecordSchema = z
  .object({
    id: z.string(),
    text: z.string().openapi({ description: 'The exact words the person agreed to' }),
    at: z.iso.datetime(),
    method: z.string().openapi({ description: 'widget, api or sms (texting in is consent to a reply)' }),
    pageUrl: z.string().nullable(),
  })
  .openapi('ConsentRecord');

/** The proof a lead may be texted, for the person answering it (the app's conversation view). */
export function leadConsentRoutes(deps: ApiDeps) {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/leads/:id/consent',
      tag: 'Leads',
      summary: 'The lead’s consent records, oldest first: what it agreed to, when and how',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      params: ZLeadIdParamsSchema,
      responses: {
        200: { description: 'Consent records', schema: z.object({ data: z.array(ZConsentRecordSchema) }) },
      },
      handler: async ({ params, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('lead');
        const rows = await withTenant(db, auth.businessId, async (tx) => {
          const lead = await tx.lead.findFirst({
            where: { id: params.id },
            select: { id: true, consentRecords: { orderBy: { capturedAt: 'asc' } } },
          });
          if (lead) await audit(tx, auth, { action: 'read', entity: 'consent', entityId: lead.id }, clientAddress(req));
          return lead?.consentRecords ?? null;
        });
        if (!rows) throw notFound('lead');
        return {
          status: 200,
          body: {
            data: rows.map((r) => ({
              id: r.id,
              text: r.consentText,
              at: r.capturedAt.toISOString(),
              method: r.method,
              pageUrl: r.pageUrl,
            })),
          },
        };
      },
    }),
  ];
}
