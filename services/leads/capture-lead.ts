import { randomUUID } from 'node:crypto';
import type { LeadCodec } from '../../codec/lead-data-converter';
import type { Db } from '../../db/prisma';
import { withTenantSql, type SqlClient } from '../../db/sql';
import type { Keyring } from '../../domain/crypto/keyring';
import type { Logger } from '../../logging/logger';
import type { CapturedLead, LeadWorkflowInput, MissedCall } from '../../workflows/lead/definitions';
import type { LeadWorkflowClient } from './lead-workflow-client';
import { AppError } from '../app-error';
import { recordCapturedLead, type FirstText } from './record-captured-lead';
import { leadIntakeValues } from '../../db/lead-intake';
import {
  claimAndRecordInOneCall,
  claimDigests,
  claimRequest,
  claimedLeadIds,
  DUPLICATE_WINDOW_MS,
  IDEMPOTENCY_KEY_TTL_MS,
  requestHash,
  type ClaimScope,
} from './request-claims';
import { takeLeadDataKey } from './take-lead-data-key';

export { DUPLICATE_WINDOW_MS };

export interface CaptureLeadDeps {
  db: Db;
  leads: LeadWorkflowClient;
  leadCodec: LeadCodec | null;
  /** Keys the duplicate window and Idempotency-Keys (request-claims.ts); needed unless the caller names the lead. */
  keyring?: Keyring;
  log?: Logger;
}

export interface CaptureLeadOptions {
  businessId: string;
  lead: CapturedLead;
  capturedAt: Date;
  /** The same key gives the same lead for 24 hours; with another body it is refused. */
  idempotencyKey?: string;
  /** What the caller sent, hashed with the key so a reuse with another body is caught. */
  requestBody?: unknown;
  /** A lead who texted the business first: the id is new, and the text is stored and delivered with the lead. */
  leadId?: string;
  firstText?: FirstText;
  /** A caller the business missed: the lead is stored before the call is acknowledged, and texted back. */
  missedCall?: MissedCall;
}

export interface CapturedLeadResult {
  leadId: string;
  /** The row is written (false only while Postgres was unreachable: the workflow writes it when it is back). */
  recorded: boolean;
  /** The first text's row, when the lead texted first. */
  messageId: string | null;
}

/**
 * The one way in for a lead, from a form, the API or a first text: the lead's id (the same
 * person twice within minutes is one lead), its data key, its row — so the lead exists for
 * every route the moment it is accepted — and then its workflow, which replies.
 *
 * A capture through the API never depends on Postgres: if the row cannot be written, the
 * workflow writes it as soon as Postgres answers. A first text must be stored before it is
 * acknowledged, so for one the row is required.
 */
export async function captureLead(deps: CaptureLeadDeps, opts: CaptureLeadOptions): Promise<CapturedLeadResult> {
  const { businessId, lead, capturedAt } = opts;
  if (!opts.leadId && !deps.keyring) throw new Error('captureLead: a keyring is needed to dedupe captures');
  const together = opts.leadId ? null : await claimAndRecord(deps, opts);
  const { leadId, dataKeyId, recorded, messageId } =
    together && 'leadId' in together
      ? together
      : await stepByStep(deps, opts, { claim: together?.claimAnswered ?? true });
  const input: LeadWorkflowInput = { leadId, businessId, lead, capturedAt: capturedAt.toISOString(), dataKeyId };
  if (opts.firstText && messageId) {
    await deps.leads.deliverInbound(input, {
      leadId,
      messageId,
      text: opts.firstText.body,
      receivedAt: capturedAt.toISOString(),
    });
  } else if (opts.missedCall) await deps.leads.deliverMissedCall(input, opts.missedCall);
  else await deps.leads.start(input);
  return { leadId, recorded, messageId };
}

interface Captured {
  leadId: string;
  dataKeyId: string | undefined;
  recorded: boolean;
  messageId: string | null;
}

/** The lead's row and its data key's assignment, in the caller's tenant transaction; the pool need not write the key again. */
async function record(
  c: SqlClient,
  deps: CaptureLeadDeps,
  opts: CaptureLeadOptions,
  ids: { leadId: string; dataKeyId: string | undefined },
) {
  const { businessId, lead, capturedAt, firstText } = opts;
  const done = await recordCapturedLead(c, { ...ids, businessId, lead, capturedAt, firstText });
  return {
    messageId: done.messageId,
    // Once committed, the key's row names its lead (same transaction as the lead's row).
    committed: () => {
      if (ids.dataKeyId) deps.leadCodec?.keys.assignmentRecorded(ids.dataKeyId);
    },
  };
}

/**
 * The usual capture: the claim, the data key and the lead's row in one call (`inOneCall`), else
 * in one transaction (four round trips; every capture pays each one, bench/RESULTS.md). When the
 * database failed, `claimAnswered` says whether the claim answered: then `stepByStep` does the
 * same one step at a time, as it would during an outage, so a claim is never lost to a failed
 * record.
 */
async function claimAndRecord(
  deps: CaptureLeadDeps,
  opts: CaptureLeadOptions,
): Promise<Captured | { claimAnswered: boolean }> {
  const { businessId } = opts;
  const quick = await inOneCall(deps, opts);
  if (quick) return quick;
  let claimAnswered = false;
  try {
    let committed = () => {};
    const captured = await withTenantSql(deps.db, businessId, async (c) => {
      const { leadId, newLead } = await claimLead(c, deps, opts);
      claimAnswered = true;
      // Taken before the start, so a database outage with no ready key is a 503, not a lost lead.
      const dataKeyId = await takeLeadDataKey({ leadCodec: deps.leadCodec, leadId, businessId, newLead });
      const recorded = await record(c, deps, opts, { leadId, dataKeyId });
      committed = recorded.committed;
      return { leadId, dataKeyId, recorded: true, messageId: recorded.messageId };
    });
    committed();
    return captured;
  } catch (err) {
    if (err instanceof AppError) throw err;
    return { claimAnswered };
  }
}

/**
 * A new lead in one round trip (leadflow_capture): a random id, a data key from the pool
 * taken for it, the claim, and the lead's row when the claim is the new id's. Null when it
 * does not apply or did not finish the capture: a claim under a previous master key (read
 * first), no ready key (keyForLead may write one), a claim that named a lead already there (a
 * duplicate: claimed again the usual way, with the same answer, and recorded with that lead's
 * key). A failed call is an unanswered claim, as a failed transaction is.
 */
async function inOneCall(
  deps: CaptureLeadDeps,
  opts: CaptureLeadOptions,
): Promise<Captured | { claimAnswered: false } | null> {
  const { businessId, lead, capturedAt } = opts;
  const { digests, ...terms } = claimTerms(deps, opts);
  if (digests.length > 1) return null;
  const leadId = randomUUID();
  const keys = deps.leadCodec?.keys;
  const key = keys ? keys.takeReady(leadId, businessId) : null;
  if (keys && !key) return null;
  let answer: { leadId: string | null; recorded: boolean };
  try {
    answer = await claimAndRecordInOneCall(deps.db, {
      ...terms,
      businessId,
      digest: digests[0]!,
      leadId,
      now: capturedAt,
      intake: leadIntakeValues({ leadId, businessId, lead, capturedAt, dataKeyId: key?.id }),
    });
  } catch (err) {
    if (key) keys!.notUsed(key.id, leadId);
    if (err instanceof AppError) throw err;
    return { claimAnswered: false };
  }
  if (!answer.recorded) {
    if (key) keys!.notUsed(key.id, leadId);
    return null;
  }
  if (key) keys!.assignmentRecorded(key.id);
  return { leadId, dataKeyId: key?.id, recorded: true, messageId: null };
}

/**
 * What a capture claims, and on which terms: its Idempotency-Key (with its body's hash, for
 * 24 hours) when it has one, else its phone (for the duplicate window; also the same person
 * as a lead recorded without a claim, accepted while Postgres was down).
 */
function claimTerms(deps: CaptureLeadDeps, opts: CaptureLeadOptions) {
  const { businessId, lead, capturedAt, idempotencyKey } = opts;
  const keyring = deps.keyring!;
  const scope: ClaimScope = idempotencyKey
    ? { kind: 'capture-key', key: idempotencyKey }
    : { kind: 'phone', phone: lead.phone };
  return {
    digests: claimDigests(keyring, businessId, scope),
    requestHash: idempotencyKey ? requestHash(keyring, opts.requestBody ?? lead) : null,
    ttlMs: idempotencyKey ? IDEMPOTENCY_KEY_TTL_MS : DUPLICATE_WINDOW_MS,
    recentByPhone: idempotencyKey
      ? undefined
      : { phone: lead.phone, since: new Date(capturedAt.getTime() - DUPLICATE_WINDOW_MS) },
  };
}

/**
 * One step at a time, each on its own: the claim (a new random id if the database fails), the
 * data key (from the pool if need be), the row (left to the workflow if it cannot be written,
 * except for a first text or a missed call, which must be stored before they are acknowledged).
 */
async function stepByStep(
  deps: CaptureLeadDeps,
  opts: CaptureLeadOptions,
  { claim }: { claim: boolean },
): Promise<Captured> {
  const { businessId } = opts;
  const { leadId, newLead } = opts.leadId
    ? { leadId: opts.leadId, newLead: false }
    : await sameLeadOrNew(deps, opts, { unanswered: !claim });
  const dataKeyId = await takeLeadDataKey({ leadCodec: deps.leadCodec, leadId, businessId, newLead });
  const recordAlone = async () => {
    let committed = () => {};
    const messageId = await withTenantSql(deps.db, businessId, async (c) => {
      const recorded = await record(c, deps, opts, { leadId, dataKeyId });
      committed = recorded.committed;
      return recorded.messageId;
    });
    committed();
    return messageId;
  };
  if (opts.firstText || opts.missedCall) return { leadId, dataKeyId, recorded: true, messageId: await recordAlone() };
  try {
    return { leadId, dataKeyId, recorded: true, messageId: await recordAlone() };
  } catch (err) {
    deps.log?.warn(
      { businessId, leadId, err: (err as Error).name },
      'lead not recorded at capture; its workflow records it',
    );
    return { leadId, dataKeyId, recorded: false, messageId: null };
  }
}

/**
 * The lead this capture is: the one a live claim names (the same Idempotency-Key, or the same
 * phone within the window), else a new random id, claimed for the next request. Ids carry
 * nothing about the person; sameness is kept in keyed hashes (request-claims.ts).
 *
 * Capture must work while Postgres is down: then the id is new and nothing is claimed, so a
 * capture retried during the outage may become a second lead.
 */
async function sameLeadOrNew(
  deps: CaptureLeadDeps,
  opts: CaptureLeadOptions,
  { unanswered }: { unanswered: boolean },
): Promise<{ leadId: string; newLead: boolean }> {
  try {
    // The claim just went unanswered: asking again at once would only wait twice.
    if (unanswered) throw new Error('the database did not answer the claim');
    return await withTenantSql(deps.db, opts.businessId, (c) => claimLead(c, deps, opts));
  } catch (err) {
    if (err instanceof AppError) throw err;
    deps.log?.warn(
      { businessId: opts.businessId, err: (err as Error).name },
      'capture not deduplicated: the database is unavailable',
    );
    return { leadId: randomUUID(), newLead: true };
  }
}

/** The claim itself, in the caller's tenant transaction; `newLead` when the lead is this request's own random id. */
async function claimLead(
  c: SqlClient,
  deps: CaptureLeadDeps,
  opts: CaptureLeadOptions,
): Promise<{ leadId: string; newLead: boolean }> {
  const candidate = randomUUID();
  const claimed = await claimRequest(c, {
    ...claimTerms(deps, opts),
    businessId: opts.businessId,
    leadId: candidate,
    now: opts.capturedAt,
  });
  // Only this request's own random id is a lead nobody has seen: no data key can exist for it yet.
  return { leadId: claimed.leadId, newLead: claimed.fresh && claimed.leadId === candidate };
}

/**
 * The leads a capture of this phone was given within the duplicate window (a claim), for
 * finding a lead accepted but not yet recorded by its phone. A lead accepted while Postgres
 * was down has no claim: it is found by its row once its workflow has written it.
 */
export async function capturedLeadIdsByPhone(
  deps: { db: Db; keyring: Keyring },
  opts: { businessId: string; phone: string; now: Date },
): Promise<string[]> {
  const { businessId, phone, now } = opts;
  return withTenantSql(deps.db, businessId, (c) =>
    claimedLeadIds(c, { businessId, digests: claimDigests(deps.keyring, businessId, { kind: 'phone', phone }), now }),
  );
}
