import type { Request } from 'express';
import { createLocalEmailOutbox } from '../../providers/email/local-outbox';
import type { EmailProvider } from '../../providers/email/email-provider';
import { invitePerson } from '../../services/people/invitations';
import { changeRole, listPeople, removePerson } from '../../services/people/users';
import { actorOf } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZErrorSchema, ZIdParamSchema } from '../http/schemas';
import {
  ZInvitationBodySchema,
  ZInvitationSchema,
  ZPersonListSchema,
  ZPersonPatchSchema,
  ZPersonSchema,
} from './user-schemas';

/** Where emailed links point: PUBLIC_BASE_URL; in development without it, the address the request came to. */
export const linkBase = (deps: ApiDeps, req: Request) =>
  (deps.settings.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`).replace(/\/+$/, '');

/** The business's people: invitations, roles, removal. Owners only, by key or session. */
export function userRoutes(deps: ApiDeps, opts: { email?: EmailProvider; emailFrom?: string } = {}) {
  const { db, now } = deps;
  const email = opts.email ?? createLocalEmailOutbox();
  return [
    defineRoute({
      method: 'post',
      path: '/v1/invitations',
      tag: 'People',
      summary: 'Invite a person by email',
      description:
        'Roles: owner. The email carries a single-use link into the app (/app/accept-invitation, the token in the URL fragment), valid for 7 days; the invitee chooses a password there.',
      security: 'apiKey',
      roles: ['owner'],
      body: ZInvitationBodySchema,
      responses: {
        201: { description: 'Invited; the email is on its way', schema: ZInvitationSchema },
        409: { description: 'The email already has an account in this business', schema: ZErrorSchema },
      },
      handler: async ({ body, auth, req }) => ({
        status: 201,
        body: await invitePerson(
          { db, now, email, from: opts.emailFrom, publicBaseUrl: linkBase(deps, req) },
          { actor: actorOf(auth, clientAddress(req)), email: body.email, role: body.role },
        ),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users',
      tag: 'People',
      summary: 'The business’s people and their roles',
      security: 'apiKey',
      roles: ['owner'],
      responses: { 200: { description: 'Everyone who can sign in', schema: ZPersonListSchema } },
      handler: async ({ auth, req }) => ({
        status: 200,
        body: { items: await listPeople({ db }, actorOf(auth, clientAddress(req))) },
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/users/:id',
      tag: 'People',
      summary: 'Change a person’s role',
      security: 'apiKey',
      roles: ['owner'],
      params: ZIdParamSchema,
      body: ZPersonPatchSchema,
      responses: {
        200: { description: 'The person, with the new role', schema: ZPersonSchema },
        409: { description: 'The business’s only owner cannot be demoted', schema: ZErrorSchema },
      },
      handler: async ({ params, body, auth, req }) => ({
        status: 200,
        body: await changeRole(
          { db },
          { actor: actorOf(auth, clientAddress(req)), userId: params.id, role: body.role },
        ),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/users/:id',
      tag: 'People',
      summary: 'Remove a person: their sessions end at once',
      security: 'apiKey',
      roles: ['owner'],
      params: ZIdParamSchema,
      responses: {
        204: { description: 'Removed' },
        409: { description: 'The business’s only owner cannot be removed', schema: ZErrorSchema },
      },
      handler: async ({ params, auth, req }) => {
        await removePerson({ db }, { actor: actorOf(auth, clientAddress(req)), userId: params.id });
        return { status: 204 };
      },
    }),
  ];
}
