import { z } from 'zod';
import { withTenant } from '../../db/tenant';
import type { GoogleServiceDeps } from '../../services/integrations/google/google-service-deps';
import { googleCalendarResolver } from '../../services/integrations/google/calendar-resolver';
import { googleCalendarCheck } from '../../services/technicians/check-google-calendar';
import { deleteTechnician } from '../../services/technicians/delete-technician';
import { saveTechnician } from '../../services/technicians/save-technician';
import { technicianViews } from '../../services/technicians/technician-view';
import { addTimeOff, removeTimeOff } from '../../services/technicians/time-off';
import { actorOf } from '../audit';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZErrorSchema, ZIdParamSchema } from '../http/schemas';
import {
  ZCreateTechnicianSchema,
  ZPatchTechnicianSchema,
  ZTechnicianRemovalSchema,
  ZTechnicianSchema,
  ZTimeOffInputSchema,
  ZTimeOffParamsSchema,
} from './technician-schemas';

const TAG = 'Technicians';

/**
 * The business's bookable people: their hours, time off, calendar and the services they do.
 * A business with no active technician books from its business hours and one calendar.
 */
export function technicianRoutes(deps: ApiDeps) {
  const google: GoogleServiceDeps = {
    db: deps.db,
    keyring: deps.privacyKeys?.keyring ?? null,
    google: deps.settings.google ?? null,
    now: deps.now,
  };
  const service = { db: deps.db, now: deps.now, checkGoogleCalendar: googleCalendarCheck(google) };
  const removal = {
    db: deps.db,
    now: deps.now,
    log: deps.log,
    calendarFor: googleCalendarResolver(google),
    alerts: { temporal: deps.temporal, taskQueue: deps.taskQueue },
    leads: deps.leads,
  };
  return [
    defineRoute({
      method: 'get',
      path: '/v1/technicians',
      operationId: 'listTechnicians',
      tag: TAG,
      summary: 'The bookable people, oldest first, with their services and coming time off',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      responses: { 200: { description: 'Technicians', schema: z.object({ data: z.array(ZTechnicianSchema) }) } },
      handler: async ({ auth }) => ({
        status: 200,
        body: { data: await withTenant(deps.db, auth.businessId, (tx) => technicianViews(tx, { now: deps.now() })) },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/technicians',
      operationId: 'createTechnician',
      tag: TAG,
      summary: 'Add a bookable person',
      description:
        'Roles: owner. Offered slots come from the active people who do the service asked for; each booking goes to the least busy of those free (fewest appointments that week, then who was assigned longest ago).',
      security: 'apiKey',
      roles: ['owner'],
      body: ZCreateTechnicianSchema,
      responses: {
        201: { description: 'Created', schema: ZTechnicianSchema },
        409: {
          description: 'A Google calendar asked for, and Google Calendar is not configured or not connected',
          schema: ZErrorSchema,
        },
      },
      handler: async ({ body, auth, req }) => ({
        status: 201,
        body: await saveTechnician(service, { actor: actorOf(auth, clientAddress(req)), technician: body }),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/technicians/:id',
      operationId: 'updateTechnician',
      tag: TAG,
      summary: 'Change a person: name, active, hours, calendar, services (serviceIds replaces the list)',
      security: 'apiKey',
      roles: ['owner'],
      params: ZIdParamSchema,
      body: ZPatchTechnicianSchema,
      responses: {
        200: { description: 'The person as they now are', schema: ZTechnicianSchema },
        409: {
          description: 'A Google calendar asked for, and Google Calendar is not configured or not connected',
          schema: ZErrorSchema,
        },
      },
      handler: async ({ params, body, auth, req }) => ({
        status: 200,
        body: await saveTechnician(service, {
          actor: actorOf(auth, clientAddress(req)),
          id: params.id,
          technician: body,
        }),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/technicians/:id',
      operationId: 'deleteTechnician',
      tag: TAG,
      summary: 'Remove a person; their appointments still to come go to others who can take them',
      description:
        'Roles: owner. Each of their booked appointments still to come goes to another active person who does its service and is free at its time (the booking rule: least busy that week, then assigned longest ago), and moves to that person’s Google calendar when they have one. One nobody can take stays booked, unassigned, and raises an `appointment_unassigned` alert (its time and service; webhook event `appointment.unassigned`). Past appointments keep no person.',
      security: 'apiKey',
      roles: ['owner'],
      params: ZIdParamSchema,
      responses: {
        200: { description: 'Removed; what became of their appointments', schema: ZTechnicianRemovalSchema },
      },
      handler: async ({ params, auth, req }) => ({
        status: 200,
        body: await deleteTechnician(removal, { actor: actorOf(auth, clientAddress(req)), id: params.id }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/technicians/:id/time-off',
      operationId: 'addTechnicianTimeOff',
      tag: TAG,
      summary: 'Add a period the person is away: no slot of theirs overlaps it',
      security: 'apiKey',
      roles: ['owner'],
      params: ZIdParamSchema,
      body: ZTimeOffInputSchema,
      responses: { 201: { description: 'The person with the period added', schema: ZTechnicianSchema } },
      handler: async ({ params, body, auth, req }) => ({
        status: 201,
        body: await addTimeOff(service, {
          actor: actorOf(auth, clientAddress(req)),
          technicianId: params.id,
          startsAt: new Date(body.startsAt),
          endsAt: new Date(body.endsAt),
          reason: body.reason,
        }),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/technicians/:id/time-off/:timeOffId',
      operationId: 'deleteTechnicianTimeOff',
      tag: TAG,
      summary: 'Remove a period of time off',
      security: 'apiKey',
      roles: ['owner'],
      params: ZTimeOffParamsSchema,
      responses: { 204: { description: 'Removed' } },
      handler: async ({ params, auth, req }) => {
        await removeTimeOff(deps, {
          actor: actorOf(auth, clientAddress(req)),
          technicianId: params.id,
          timeOffId: params.timeOffId,
        });
        return { status: 204 };
      },
    }),
  ];
}
