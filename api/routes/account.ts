import { once } from 'node:events';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Response } from 'express';
import { z } from 'zod';
import { readableMessage } from '../../db/messages';
import { withTenant, type Tx } from '../../db/tenant';
import { ensureAccountWorkflow } from '../../services/account-workflow';
import { accountStateQuery, accountWorkflowId } from '../../workflows/account/definitions';
import { audit } from '../audit';
import { clientAddress } from '../http/client-address';
import type { ApiDeps } from '../deps';
import { notFound } from '../http/errors';
import { defineRoute } from '../http/route';
import { businessView } from './business-view';

const ZAccountSchema = z
  .object({
    businessId: z.string(),
    status: z.enum(['active', 'paused', 'export_window', 'waiting_legal_hold', 'purged']),
    subscriptionStatus: z.string(),
    legalHold: z.boolean(),
    cancelledAt: z.iso.datetime().nullable(),
    purgeAt: z.iso
      .datetime()
      .nullable()
      .describe('When the tenant’s data is deleted (cancelled accounts: end of the export window)'),
    billingDeleteAt: z.iso.datetime().nullable(),
  })
  .openapi('Account');

const rows = z.array(z.record(z.string(), z.unknown()));
const ZTenantExportSchema = z
  .object({
    format: z.literal('leadflow.tenant-export.v1'),
    exportedAt: z.iso.datetime(),
    business: z.record(z.string(), z.unknown()),
    services: rows,
    leads: rows,
    messages: rows,
    consentRecords: rows,
    appointments: rows,
    suppressions: rows,
    privacyRequests: rows,
    auditLog: rows,
    billingRecords: rows,
  })
  .openapi('TenantExport');

/** Rows per page of the export: each page is its own short tenant transaction. */
const PAGE = 500;

type Keyed = { id: string | bigint };
/** One table of the tenant, page by page in id order (keyset: no page is read twice). */
type Section = { name: string; page: (tx: Tx, after: string | bigint | undefined) => Promise<Keyed[]> };

const after = <T extends string | bigint>(id: T | undefined) => (id === undefined ? {} : { id: { gt: id } });

/**
 * Every table of the tenant that holds its data. Sealed columns (privacy requests'
 * contact and payload, verification code hashes) are left out: ciphertext serves no one.
 */
const SECTIONS: Section[] = [
  {
    name: 'services',
    page: (tx, a) => tx.service.findMany({ where: after(a as string), orderBy: { id: 'asc' }, take: PAGE }),
  },
  {
    name: 'leads',
    page: (tx, a) => tx.lead.findMany({ where: after(a as string), orderBy: { id: 'asc' }, take: PAGE }),
  },
  {
    name: 'messages',
    page: async (tx, a) =>
      (await tx.message.findMany({ where: after(a as string), orderBy: { id: 'asc' }, take: PAGE })).map(
        readableMessage,
      ),
  },
  {
    name: 'consentRecords',
    page: (tx, a) => tx.consentRecord.findMany({ where: after(a as string), orderBy: { id: 'asc' }, take: PAGE }),
  },
  {
    name: 'appointments',
    page: (tx, a) => tx.appointment.findMany({ where: after(a as string), orderBy: { id: 'asc' }, take: PAGE }),
  },
  {
    name: 'suppressions',
    page: (tx, a) => tx.suppression.findMany({ where: after(a as string), orderBy: { id: 'asc' }, take: PAGE }),
  },
  {
    name: 'privacyRequests',
    page: (tx, a) =>
      tx.privacyRequest.findMany({
        where: after(a as string),
        orderBy: { id: 'asc' },
        take: PAGE,
        omit: {
          contactKeyId: true,
          contactCiphertext: true,
          payloadKeyId: true,
          payloadCiphertext: true,
          codeHash: true,
        },
      }),
  },
  {
    name: 'auditLog',
    page: (tx, a) => tx.auditLog.findMany({ where: after(a as bigint), orderBy: { id: 'asc' }, take: PAGE }),
  },
  {
    name: 'billingRecords',
    page: (tx, a) => tx.billingRecord.findMany({ where: after(a as string), orderBy: { id: 'asc' }, take: PAGE }),
  },
];

const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

async function write(res: Response, chunk: string) {
  if (!res.write(chunk)) await once(res, 'drain');
}

/** The account lifecycle as the owner sees it, and the export of everything the tenant has. */
export function accountRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/business/account',
      tag: 'Businesses',
      summary: 'The account lifecycle: subscription, export window, purge and billing-deletion dates',
      security: 'apiKey',
      roles: ['owner', 'operator', 'compliance'],
      responses: { 200: { description: 'Account state', schema: ZAccountSchema } },
      handler: async ({ auth }) => {
        const target = { temporal: deps.temporal, businessId: auth.businessId, taskQueue: deps.taskQueue };
        const query = () =>
          deps.temporal.workflow.getHandle(accountWorkflowId(auth.businessId)).query(accountStateQuery);
        const state = await deps.withTemporal(async () => {
          try {
            return await query();
          } catch (err) {
            // A business from before account workflows existed: it gets one now.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
            await ensureAccountWorkflow(target);
            return query();
          }
        });
        return { status: 200, body: state };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/business/export',
      tag: 'Businesses',
      summary: 'Export all of the tenant’s data as one JSON document (streamed)',
      description:
        'Owner only. Business settings, services, leads, messages, consent records, appointments, suppressions, privacy requests, the audit log and billing records, streamed table by table in pages (not one snapshot: rows written during the export may or may not appear). Available at any time, and during the export window after cancellation. Audited.',
      security: 'apiKey',
      roles: ['owner'],
      responses: {
        200: { description: 'The tenant’s data', schema: ZTenantExportSchema, contentType: 'application/json' },
      },
      handler: async ({ auth, req, res }) => {
        const { businessId } = auth;
        const business = await withTenant(deps.db, businessId, async (tx) => {
          const found = await tx.business.findUnique({
            where: { id: businessId },
            include: { services: { orderBy: { createdAt: 'asc' } } },
          });
          // Recorded before the first byte leaves: no export goes unaudited.
          if (found)
            await audit(tx, auth, { action: 'export', entity: 'business', entityId: businessId }, clientAddress(req));
          return found;
        });
        if (!business) throw notFound('business');
        const { services: _services, ...settings } = businessView(business);

        res.status(200).type('application/json');
        res.setHeader('Content-Disposition', `attachment; filename="leadflow-export-${businessId}.json"`);
        res.setHeader('Cache-Control', 'no-store');
        try {
          await write(
            res,
            `{"format":"leadflow.tenant-export.v1","exportedAt":${json(deps.now().toISOString())},"business":${json(settings)}`,
          );
          for (const section of SECTIONS) {
            await write(res, `,${json(section.name)}:[`);
            let last: string | bigint | undefined;
            let first = true;
            for (;;) {
              const page = await withTenant(deps.db, businessId, (tx) => section.page(tx, last));
              for (const row of page) {
                await write(res, (first ? '' : ',') + json(row));
                first = false;
              }
              if (page.length < PAGE) break;
              last = page[page.length - 1]!.id;
            }
            await write(res, ']');
          }
          res.end('}');
        } catch (err) {
          // Headers are gone: a cut-off body (no closing brace) is the only honest signal left.
          deps.log.error({ businessId, err: (err as Error).name }, 'tenant export failed mid-stream');
          res.destroy();
        }
        return { status: 200 };
      },
    }),
  ];
}
