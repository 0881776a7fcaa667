import { randomUUID } from 'node:crypto';
import { readableBody } from '../../db/messages';
import { withTenant } from '../../db/tenant';
import { withTenantSql } from '../../db/sql';
import { captureLead } from '../../services/leads/capture-lead';
import { sendPersonMessage } from '../../services/leads/send-person-message';
import { handBackLead } from '../../services/leads/hand-back-lead';
import { checkIdempotencyKey, claimKeyring } from '../../services/leads/request-claims';
import { isUuid } from '../../domain/ids';
import { waitingFor } from '../../workflows/lead/plan';
import { jobOf } from '../../workflows/lead/job';
import { jobView } from './job-schemas';
import { invoiceView, reviewRequestView } from './after-job-schemas';
import { leadWorkflowId, type LeadState } from '../../workflows/lead/definitions';
import { actorOf, audit } from '../audit';
import { AppError, notFound } from '../http/errors';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { page, ZErrorSchema } from '../http/schemas';
import type { ApiDeps } from '../deps';
import { widgetCors } from '../http/widget-cors';
import { captureLimits, spendWidgetBudget } from '../http/capture-limits';
import { decodeCursor, encodeCursor } from '../http/cursor';
import { findInboxPage, type InboxRow } from '../../db/lead-inbox';
import { isActiveSubscription } from '../../domain/account-lifecycle';
import {
  ZAcceptedSchema,
  ZHandBackAcceptedSchema,
  ZCaptureHeadersSchema,
  ZCaptureLeadSchema,
  ZLeadIdParamsSchema,
  ZLeadListQuerySchema,
  ZLeadSchema,
  ZLeadListItemSchema,
  ZManualMessageResultSchema,
  ZManualMessageSchema,
  ZMessageHeadersSchema,
} from './lead-schemas';

export function leadRoutes(deps: ApiDeps) {
  const { db } = deps;
  const keyring = claimKeyring(deps);

  return [
    defineRoute({
      method: 'post',
      path: '/v1/leads',
      tag: 'Leads',
      summary: 'Capture a lead',
      description:
        'Roles: owner, operator, or a publishable widget key from one of the business’s allowed origins. Answers 202 at once with the lead recorded; its workflow sends the first reply (while the database is unreachable, the workflow records the lead when it can). Lead ids are random. The same Idempotency-Key with the same body within 24 hours, or the same phone within 10 minutes, gives the same lead and the same answer; the same key with a different body answers 422 `idempotency_key_reused`. A person erased since is a new lead.',
      security: 'apiKey',
      roles: ['owner', 'operator', 'widget'],
      before: [widgetCors(deps.widgetConfig), captureLimits(deps)],
      headers: ZCaptureHeadersSchema,
      body: ZCaptureLeadSchema,
      responses: {
        202: { description: 'Accepted: the lead’s workflow is running', schema: ZAcceptedSchema },
        422: {
          description: 'idempotency_key_reused: the Idempotency-Key came with a different body',
          schema: ZErrorSchema,
        },
      },
      handler: async ({ body, req, auth }) => {
        const idempotencyKey = checkIdempotencyKey(req.get('idempotency-key'));
        const now = deps.now();
        let consent = { ...body.consent, at: body.consent.at ?? now.toISOString() };
        if (auth.role === 'widget') {
          const widget = await deps.widgetConfig(auth.businessId);
          const origin = req.get('origin');
          if (!origin || !widget.allowedOrigins.includes(origin))
            throw new AppError('forbidden', 'this widget key is not allowed from this origin');
          if (body.consent.text !== widget.consentText) {
            throw new AppError('bad_request', 'consent.text: must be the business’s consent text exactly as shown', [
              { field: 'consent.text', reason: 'must be the business’s consent text exactly as shown' },
            ]);
          }
          // What the server saw, not what the page claims.
          consent = {
            ...consent,
            at: now.toISOString(),
            ip: clientAddress(req),
            userAgent: req.get('user-agent')?.slice(0, 512),
          };
          // Only a valid capture spends the widget key's shared budget (capture-limits.ts).
          await spendWidgetBudget(req);
        }
        const source = auth.role === 'widget' ? 'widget' : body.source;
        const { leadId } = await captureLead(
          { db, leads: deps.leads, leadCodec: deps.leadCodec, keyring, log: deps.log },
          {
            businessId: auth.businessId,
            lead: {
              name: body.name,
              phone: body.phone,
              email: body.email,
              message: body.message,
              source,
              consent: { ...consent, method: auth.role === 'widget' ? 'widget' : 'api' },
              ...(body.language ? { language: body.language } : {}),
            },
            capturedAt: now,
            idempotencyKey,
            requestBody: body,
          },
        );
        deps.metrics.captures.inc({ source });
        return { status: 202, body: { id: leadId, status: 'accepted' }, headers: { Location: `/v1/leads/${leadId}` } };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/leads',
      tag: 'Leads',
      summary: 'List leads, newest activity first (the inbox)',
      description:
        'Roles: owner, operator. Each lead with its last message and what it waits for; `q` searches names and phones, `status` and `source` filter. Paged with `next` (newest activity first: a lead that becomes active again moves to the top).',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      query: ZLeadListQuerySchema,
      responses: { 200: { description: 'A page of leads', schema: page(ZLeadListItemSchema) } },
      handler: async ({ query, auth, req }) => {
        const after = query.cursor ? decodeCursor(query.cursor) : null;
        const { rows, business } = await withTenantSql(db, auth.businessId, (c) =>
          findInboxPage(
            c,
            {
              businessId: auth.businessId,
              limit: query.limit,
              after,
              status: query.status,
              source: query.source,
              q: query.q,
            },
            actorOf(auth, clientAddress(req)),
          ),
        );
        const more = rows.length > query.limit;
        const data = rows.slice(0, query.limit);
        const last = data[data.length - 1];
        const waiting = inboxWaitingFor({
          active: !business || isActiveSubscription(business.subscriptionStatus),
          // The local outbox sends from no number; a real carrier needs one (or a messaging service).
          hasSender: !business || business.hasSmsNumber || deps.settings.localSms,
        });
        return {
          status: 200,
          body: {
            data: data.map((row) => ({
              ...summary(row),
              lastMessage: row.erasedAt
                ? null
                : row.lastMessage && { ...row.lastMessage, at: row.lastMessage.at.toISOString() },
              waitingFor: waiting(row),
            })),
            next: more && last ? encodeCursor({ at: last.lastActivityAt, id: last.id }) : null,
          },
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/v1/leads/:id',
      tag: 'Leads',
      summary: 'One lead with its messages, appointments and workflow state',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      params: ZLeadIdParamsSchema,
      responses: { 200: { description: 'The lead', schema: ZLeadSchema } },
      handler: async ({ params, auth, req }) => {
        if (!isUuid(params.id)) throw notFound('lead');
        const row = await withTenant(db, auth.businessId, async (tx) => {
          const lead = await tx.lead.findFirst({
            where: { id: params.id },
            include: { messages: { orderBy: { createdAt: 'asc' } }, appointments: { orderBy: { startsAt: 'asc' } } },
          });
          if (lead) await audit(tx, auth, { action: 'read', entity: 'lead', entityId: lead.id }, clientAddress(req));
          return lead;
        });
        if (!row) {
          // Accepted while Postgres was down, and its workflow has not written it yet: show it
          // if the workflow is this tenant's. Another tenant's lead and no lead at all cost the
          // same one call and get the same answer.
          const owned = (await deps.leads.ownerOf(params.id)) === auth.businessId;
          const state = owned ? await deps.leads.state(params.id) : null;
          if (!state) throw notFound('lead');
          return {
            status: 200,
            body: {
              id: params.id,
              name: null,
              phone: null,
              email: null,
              message: null,
              source: 'api',
              status: 'capturing',
              legalHold: false,
              createdAt: new Date(state.capturedAt).toISOString(),
              lastActivityAt: state.lastActivityAt,
              messages: [],
              appointments: [],
              workflow: workflowView(params.id, state, deps.now()),
            },
          };
        }
        // An erased lead's history is crypto-shredded: there is no state left to ask for.
        const state = row.erasedAt ? null : await deps.leads.state(params.id);
        return {
          status: 200,
          body: {
            ...summary(row),
            message: row.message,
            messages: row.messages.map((m) => ({
              id: m.id,
              direction: m.direction as 'inbound' | 'outbound',
              kind: m.kind,
              body: readableBody(m),
              status: m.status,
              aiModel: m.aiModel,
              createdAt: m.createdAt.toISOString(),
            })),
            appointments: row.appointments.map((a) => ({
              id: a.id,
              startsAt: a.startsAt.toISOString(),
              endsAt: a.endsAt.toISOString(),
              status: a.status,
            })),
            workflow: state ? workflowView(row.id, state, deps.now()) : null,
          },
        };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/v1/leads/:id/messages',
      tag: 'Leads',
      summary: 'A person at the business texts the lead (the AI steps back for this lead)',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      params: ZLeadIdParamsSchema,
      body: ZManualMessageSchema,
      headers: ZMessageHeadersSchema,
      responses: {
        201: { description: 'Sent', schema: ZManualMessageResultSchema },
        409: { description: 'The lead cannot be texted (opted out, or its logs were deleted)', schema: ZErrorSchema },
        422: {
          description:
            'Refused by the send rules (restricted, account inactive), or `idempotency_key_reused`: the Idempotency-Key came with a different lead or text',
          schema: ZErrorSchema,
        },
      },
      handler: async ({ params, body, auth, req }) => {
        const idempotencyKey = checkIdempotencyKey(req.get('idempotency-key'));
        const result = await sendPersonMessage(
          { db, leads: deps.leads, keyring },
          {
            actor: actorOf(auth, clientAddress(req)),
            leadId: params.id,
            text: body.text,
            requestId: idempotencyKey ?? randomUUID(),
            idempotencyKey,
            now: deps.now(),
          },
        );
        return { status: 201, body: result };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/v1/leads/:id/hand-back',
      tag: 'Leads',
      summary: 'Hand the lead back to the assistant after a person’s handoff',
      description:
        'Roles: owner, operator. The lead’s workflow leaves the handoff (a person’s text, or the lead asking for a person): the assistant answers the lead’s next texts and the follow-ups it is due resume. Texts that came during the handoff stay unanswered by the assistant. A lead that is not handed off is unchanged, so a repeated request is harmless. Answers 202 once the workflow has the request; its status (GET /v1/leads/{id}) follows within moments.',
      security: 'apiKey',
      roles: ['owner', 'operator'],
      params: ZLeadIdParamsSchema,
      responses: { 202: { description: 'The workflow has the request', schema: ZHandBackAcceptedSchema } },
      handler: async ({ params, auth, req }) => {
        await handBackLead({ db, leads: deps.leads }, { actor: actorOf(auth, clientAddress(req)), leadId: params.id });
        return {
          status: 202,
          body: { id: params.id, status: 'accepted' },
          headers: { Location: `/v1/leads/${params.id}` },
        };
      },
    }),
  ];
}

function summary(row: {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  source: string;
  status: string;
  legalHoldAt: Date | null;
  createdAt: Date;
  lastActivityAt: Date;
  erasedAt: Date | null;
}) {
  return {
    id: row.id,
    name: row.erasedAt ? null : row.name,
    phone: row.erasedAt ? null : row.phone,
    email: row.erasedAt ? null : row.email,
    source: row.source,
    status: row.status,
    legalHold: row.legalHoldAt !== null,
    createdAt: row.createdAt.toISOString(),
    lastActivityAt: row.lastActivityAt.toISOString(),
  };
}

function jobOrNull(state: LeadState) {
  const job = jobOf(state);
  return job ? jobView(job) : null;
}

function workflowView(leadId: string, state: LeadState, now: Date) {
  return {
    id: leadWorkflowId(leadId),
    status: state.status,
    nextAction: state.nextAction,
    waitingFor: waitingFor(state),
    booking: state.booking
      ? { appointmentId: state.booking.appointmentId, start: state.booking.start, end: state.booking.end }
      : null,
    job: jobOrNull(state),
    invoice: state.invoice ? invoiceView(state.invoice) : null,
    reviewRequest: state.review ? reviewRequestView(state.review, now) : null,
  };
}

/** What an inbox row waits for, from the rows alone (the workflow's own answer is on GET /v1/leads/{id}). */
function inboxWaitingFor(business: { active: boolean; hasSender: boolean }) {
  return (row: InboxRow): 'person' | 'subscription' | 'sender_number' | 'legal_hold_release' | null => {
    if (row.erasedAt || row.status === 'retention_deleted' || row.status === 'erased') return null;
    const unanswered = row.status === 'new';
    if (!business.active && unanswered) return 'subscription';
    if (!business.hasSender && unanswered) return 'sender_number';
    if (row.legalHoldAt) return 'legal_hold_release';
    if ((row.aiPaused || row.status === 'handed_off') && row.lastMessage?.direction === 'inbound') return 'person';
    return null;
  };
}
