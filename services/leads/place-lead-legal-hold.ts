import type { Db } from '../../db/prisma';
import type { Actor } from '../audit-log';
import { setLeadLegalHold, type LeadHold } from './lead-legal-hold';
import type { LeadWorkflowClient } from './lead-workflow-client';

/** A legal hold pauses every deletion path for one lead (its retention timer, the sweeps, erasure) until released. */
export function placeLeadLegalHold(
  deps: { db: Db; leads: LeadWorkflowClient; now: () => Date },
  opts: { actor: Actor; leadId: string; reason: string },
): Promise<LeadHold> {
  return setLeadLegalHold(deps, {
    actor: opts.actor,
    leadId: opts.leadId,
    hold: { reason: opts.reason, by: `key:${opts.actor.keyId}`, at: deps.now() },
  });
}
