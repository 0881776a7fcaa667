import { z } from 'zod';
import { createService, deleteService, listServices, updateService } from '../../services/technicians/service-catalog';
import { actorOf } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZIdParamSchema } from '../http/schemas';
import { ZCreateServiceSchema, ZPatchServiceSchema, ZServiceViewSchema } from './service-schemas';

const TAG = 'Services';

/** What the business books: each service's length decides the slot's, its keywords let a lead's words name it. */
export function serviceRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/services',
      operationId: 'listServices',
      tag: TAG,
      summary: 'The services, oldest first, with who does each',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      responses: { 200: { description: 'Services', schema: z.object({ data: z.array(ZServiceViewSchema) }) } },
      handler: async ({ auth }) => ({
        status: 200,
        body: { data: await listServices(deps, { businessId: auth.businessId }) },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/services',
      operationId: 'createService',
      tag: TAG,
      summary: 'Add a service',
      description:
        'Roles: owner. A lead who asks to book in words that name one service (its name or a keyword) is offered that service’s slots; words that name several or none, when the business has more than one, get the question which service.',
      security: 'apiKey',
      roles: ['owner'],
      body: ZCreateServiceSchema,
      responses: { 201: { description: 'Created', schema: ZServiceViewSchema } },
      handler: async ({ body, auth, req }) => ({
        status: 201,
        body: await createService(deps, { actor: actorOf(auth, clientAddress(req)), service: body }),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/services/:id',
      operationId: 'updateService',
      tag: TAG,
      summary: 'Change a service',
      security: 'apiKey',
      roles: ['owner'],
      params: ZIdParamSchema,
      body: ZPatchServiceSchema,
      responses: { 200: { description: 'The service as it now is', schema: ZServiceViewSchema } },
      handler: async ({ params, body, auth, req }) => ({
        status: 200,
        body: await updateService(deps, { actor: actorOf(auth, clientAddress(req)), id: params.id, service: body }),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/services/:id',
      operationId: 'deleteService',
      tag: TAG,
      summary: 'Remove a service (one that appointments name is deactivated instead)',
      security: 'apiKey',
      roles: ['owner'],
      params: ZIdParamSchema,
      responses: { 204: { description: 'Removed or deactivated' } },
      handler: async ({ params, auth, req }) => {
        await deleteService(deps, { actor: actorOf(auth, clientAddress(req)), id: params.id });
        return { status: 204 };
      },
    }),
  ];
}
