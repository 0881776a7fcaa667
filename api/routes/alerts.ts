import { findAlerts, markAlertRead } from '../../db/alerts';
import { withTenant } from '../../db/tenant';
import { isUuid } from '../../domain/ids';
import type { ApiKeyRole } from '../../domain/roles';
import { PRIVACY_ALERT_KINDS } from '../../services/alerts/alert-kinds';
import { audit } from '../audit';
import type { ApiDeps } from '../deps';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { notFound } from '../http/errors';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { page, ZIdParamSchema } from '../http/schemas';
import { ZAlertListQuerySchema, ZAlertSchema } from './alert-schemas';

/** The compliance role sees the privacy deadlines only; owners and operators see every alert. */
const kindsFor = (role: ApiKeyRole) => (role === 'compliance' ? PRIVACY_ALERT_KINDS : undefined);

/** The app's inbox of alerts (the same alerts that went out by SMS, email and webhooks). */
export function alertRoutes(deps: ApiDeps) {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/alerts',
      tag: 'Alerts',
      summary: 'Alerts to the business, newest first',
      security: 'apiKey',
      roles: ['owner', 'operator', 'compliance'],
      query: ZAlertListQuerySchema,
      responses: { 200: { description: 'A page of alerts', schema: page(ZAlertSchema) } },
      handler: async ({ query, auth, req }) => {
        const after = query.cursor ? decodeCursor(query.cursor) : null;
        const found = await withTenant(db, auth.businessId, async (tx) => {
          const result = await findAlerts(tx, {
            limit: query.limit,
            after,
            unread: query.unread,
            kinds: kindsFor(auth.role),
          });
          await audit(tx, auth, { action: 'list', entity: 'alert' }, clientAddress(req));
          return result;
        });
        return { status: 200, body: { data: found.data, next: found.last ? encodeCursor(found.last) : null } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/alerts/:id/read',
      tag: 'Alerts',
      summary: 'Mark an alert read',
      security: 'apiKey',
      roles: ['owner', 'operator', 'compliance'],
      params: ZIdParamSchema,
      responses: { 200: { description: 'The alert, read', schema: ZAlertSchema } },
      handler: async ({ params, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('alert');
        const alert = await withTenant(db, auth.businessId, async (tx) => {
          const read = await markAlertRead(tx, params.id, kindsFor(auth.role));
          if (read) await audit(tx, auth, { action: 'update', entity: 'alert', entityId: read.id }, clientAddress(req));
          return read;
        });
        if (!alert) throw notFound('alert');
        return { status: 200, body: alert };
      },
    }),
  ];
}
