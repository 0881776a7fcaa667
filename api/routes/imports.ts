import type { RequestHandler } from 'express';
import type { ApiKeyRole } from '../../domain/roles';
import { findImport } from '../../db/customers';
import { withTenantSql } from '../../db/sql';
import { importCustomers } from '../../services/imports/import-customers';
import { checkIdempotencyKey, claimKeyring } from '../../services/leads/request-claims';
import { actorOf } from '../audit';
import type { ApiDeps } from '../deps';
import { AppError, notFound } from '../http/errors';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZErrorSchema, ZIdParamSchema } from '../http/schemas';
import {
  IMPORT_LIMIT_BYTES,
  ZImportCsvBodySchema,
  ZImportHeadersSchema,
  ZImportQuerySchema,
  ZImportResultSchema,
  ZImportSchema,
} from './import-schemas';

/**
 * The body stays a stream for the route (app.ts lets this path past the JSON-only parser):
 * only CSV in UTF-8 is taken, and a declared length over the limit is refused before a byte is read.
 */
const csvBody =
  (limitBytes: number, roles: ApiKeyRole[]): RequestHandler =>
  (req, res, next) => {
    // A key without the role is refused by the role check (403), whatever it sent.
    if (!req.auth || !roles.includes(req.auth.role)) return next();
    if (!req.is('text/csv')) return next(new AppError('unsupported_media_type', 'send the file as text/csv'));
    const charset = /charset=([^;]+)/i
      .exec(req.get('content-type') ?? '')?.[1]
      ?.trim()
      .toLowerCase();
    if (charset && charset !== 'utf-8' && charset !== 'utf8')
      return next(new AppError('unsupported_media_type', 'send the file in UTF-8'));
    const length = Number(req.get('content-length'));
    if (Number.isFinite(length) && length > limitBytes) {
      // The rest of the body is not read: the connection closes after the answer.
      res.setHeader('Connection', 'close');
      return next(new AppError('payload_too_large', `the file is larger than ${limitBytes} bytes`));
    }
    next();
  };

const IMPORT_ROLES: ApiKeyRole[] = ['owner', 'operator'];

/** Customer import from a CSV (Lektera: "customer data you upload"): preview, then import. */
export function importRoutes(deps: ApiDeps, opts: { limitBytes?: number } = {}) {
  const keyring = claimKeyring(deps);
  const limitBytes = opts.limitBytes ?? IMPORT_LIMIT_BYTES;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/imports',
      tag: 'Customers',
      summary: 'Preview or import customers from a CSV file',
      description:
        'Roles: owner, operator. `mode=preview` (the default) answers every row’s problems by line and column (a phone that does not parse, a duplicate within the file or of a lead or customer, a consent claim without its text, time and method, a bad date) and the counts; `mode=import` writes the rows without problems as customers with their past appointments, in one transaction. Several rows with one phone and name are one customer with several appointments. Nothing is texted: a customer is textable only with a consent record, and no workflow starts. A retried import (same Idempotency-Key, or the same bytes) answers the first one.',
      operationId: 'postImports',
      security: 'apiKey',
      roles: IMPORT_ROLES,
      before: [csvBody(limitBytes, IMPORT_ROLES)],
      query: ZImportQuerySchema,
      headers: ZImportHeadersSchema,
      body: ZImportCsvBodySchema,
      bodyContentType: 'text/csv',
      responses: {
        200: {
          description: 'The preview, or an earlier import of the same upload (`replayed`)',
          schema: ZImportResultSchema,
        },
        201: { description: 'Imported', schema: ZImportResultSchema },
        422: {
          description: 'idempotency_key_reused: the Idempotency-Key came with another file',
          schema: ZErrorSchema,
        },
      },
      handler: async ({ query, req, res, auth }) => {
        const idempotencyKey = checkIdempotencyKey(req.get('idempotency-key'));
        const result = await importCustomers(
          { db: deps.db, keyring, now: deps.now },
          { actor: actorOf(auth, clientAddress(req)), mode: query.mode, body: req, limitBytes, idempotencyKey },
        ).catch((err: unknown) => {
          // A chunked upload stopped at the limit: the rest is not read, and the connection closes after the answer.
          if (err instanceof AppError && err.code === 'payload_too_large') res.setHeader('Connection', 'close');
          throw err;
        });
        const status = result.mode === 'import' && !result.replayed ? 201 : 200;
        return { status, body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/imports/:id',
      tag: 'Customers',
      summary: 'An import’s counts',
      operationId: 'getImportsById',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      params: ZIdParamSchema,
      responses: { 200: { description: 'The import', schema: ZImportSchema } },
      handler: async ({ params, auth }) => {
        const found = await withTenantSql(deps.db, auth.businessId, (c) => findImport(c, params.id));
        if (!found) throw notFound('import');
        return {
          status: 200,
          body: { id: found.id, createdAt: found.created_at.toISOString(), counts: found.counts },
        };
      },
    }),
  ];
}
