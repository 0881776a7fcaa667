import { createHash, randomUUID } from 'node:crypto';
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import type { leadWorkflow } from '../../workflows/lead/lead-workflow';
import { leadStateQuery, leadWorkflowId, type LeadState, type LeadWorkflowInput } from '../../workflows/lead/definitions';
import { BUSINESS_ID, LEAD_STATUS } from '../../workflows/search-attributes';
import { TASK_QUEUES } from '../../temporal.config';
import { authenticate, requireRole } from '../auth/authenticate';
import { AppError, notFound } from '../http/errors';
import { asTemporalUnavailable } from '../temporal-errors';
import { ZCaptureLeadSchema, ZLeadIdSchema, ZLeadSchema } from './lead-schemas';

export interface LeadsRouterDeps {
  db: Db;
  temporal: Client;
  /** How long a call to Temporal may take before the API answers 503. */
  temporalTimeoutMs?: number;
  taskQueue?: string;
}

/** The same Idempotency-Key for the same business always names the same lead. */
function leadIdFor(businessId: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return randomUUID();
  const h = createHash('sha256').update(`${businessId}\n${idempotencyKey}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createLeadsRouter(deps: LeadsRouterDeps): Router {
  const router = Router();
  const timeoutMs = deps.temporalTimeoutMs ?? 5000;
  const withTemporal = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await deps.temporal.withDeadline(Date.now() + timeoutMs, fn);
    } catch (err) {
      throw asTemporalUnavailable(err) ?? err;
    }
  };

  router.use(authenticate({ db: deps.db }));

  router.post('/', requireRole('owner', 'operator'), async (req, res) => {
    const businessId = req.auth!.businessId;
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey !== undefined && !/^[\x21-\x7E]{1,255}$/.test(idempotencyKey)) {
      throw new AppError('bad_request', 'Idempotency-Key: must be 1 to 255 visible ASCII characters');
    }
    const lead = ZCaptureLeadSchema.parse(req.body ?? {});
    const leadId = leadIdFor(businessId, idempotencyKey);
    const input: LeadWorkflowInput = {
      leadId,
      businessId,
      lead: { name: lead.name, phone: lead.phone, email: lead.email, message: lead.message, source: lead.source },
      capturedAt: new Date().toISOString(),
    };
    await withTemporal(async () => {
      try {
        await deps.temporal.workflow.start<typeof leadWorkflow>('leadWorkflow', {
          taskQueue: deps.taskQueue ?? TASK_QUEUES.leads,
          workflowId: leadWorkflowId(leadId),
          args: [input],
          // Concurrent retries with one key attach to the one running workflow.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: BUSINESS_ID, value: businessId },
            { key: LEAD_STATUS, value: 'new' },
          ],
          memo: { label: `Lead ${leadId.slice(0, 8)}` },
        });
      } catch (err) {
        // The lead's workflow already ran to its end: it is still the same lead.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    });
    res.status(202).location(`/v1/leads/${leadId}`).json({ id: leadId, status: 'accepted' });
  });

  router.get('/:id', requireRole('owner', 'operator'), async (req, res) => {
    const id = ZLeadIdSchema.safeParse(req.params.id);
    if (!id.success) throw notFound('lead');
    const businessId = req.auth!.businessId;
    const row = await withTenant(deps.db, businessId, (tx) =>
      tx.lead.findFirst({ where: { id: id.data, businessId }, include: { messages: { orderBy: { createdAt: 'asc' } } } }),
    );
    if (!row) throw notFound('lead');
    let workflow: { id: string; status: string; nextAction: LeadState['nextAction'] } | null = null;
    try {
      const state = await withTemporal(() => deps.temporal.workflow.getHandle(leadWorkflowId(row.id)).query(leadStateQuery));
      workflow = { id: leadWorkflowId(row.id), status: state.status, nextAction: state.nextAction };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) && !(err instanceof AppError)) throw err;
    }
    res.json(
      ZLeadSchema.parse({
        id: row.id,
        name: row.name,
        phone: row.phone,
        email: row.email,
        source: row.source,
        status: row.status,
        createdAt: row.createdAt.toISOString(),
        lastActivityAt: row.lastActivityAt.toISOString(),
        messages: row.messages.map((m) => ({
          id: m.id,
          direction: m.direction,
          body: m.body,
          status: m.status,
          createdAt: m.createdAt.toISOString(),
        })),
        workflow,
      }),
    );
  });

  return router;
}
