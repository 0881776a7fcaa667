import { createHash } from 'node:crypto';
import type { LeadCodec } from '../../codec/lead-data-converter';
import type { Db } from '../../db/prisma';
import { withTenantSql } from '../../db/sql';
import { recentLeadIdByPhone } from '../../db/tenant';
import type { Logger } from '../../logging/logger';
import type { CapturedLead, LeadWorkflowInput } from '../../workflows/lead/definitions';
import type { LeadWorkflowClient } from './lead-workflow-client';
import { recordCapturedLead, type FirstText } from './record-captured-lead';
import { takeLeadDataKey } from './take-lead-data-key';

/** A second submit of the same phone within this window is the same lead. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

const uuidFrom = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * The ids a capture of this phone without an Idempotency-Key takes around `at` (this window
 * and the one before): how a lead accepted but not yet recorded is found by its phone.
 */
export const phoneCaptureIds = (businessId: string, phone: string, at: Date): string[] => {
  const window = Math.floor(at.getTime() / DUPLICATE_WINDOW_MS);
  return [window, window - 1].map((w) => uuidFrom(`${businessId}\nphone\n${phone}\n${w}`));
};

export interface CaptureLeadDeps {
  db: Db;
  leads: LeadWorkflowClient;
  leadCodec: LeadCodec | null;
  log?: Logger;
}

export interface CaptureLeadOptions {
  businessId: string;
  lead: CapturedLead;
  capturedAt: Date;
  /** The same key always gives the same lead. */
  idempotencyKey?: string;
  /** A lead who texted the business first: the id is new, and the text is stored and delivered with the lead. */
  leadId?: string;
  firstText?: FirstText;
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
  let leadId =
    opts.leadId ??
    uuidFrom(
      opts.idempotencyKey
        ? `${businessId}\nkey\n${opts.idempotencyKey}`
        : `${businessId}\nphone\n${lead.phone}\n${Math.floor(capturedAt.getTime() / DUPLICATE_WINDOW_MS)}`,
    );
  if (!opts.leadId && !opts.idempotencyKey) {
    // Best effort (Postgres may be down, and capture must still work): a recent lead
    // with this phone is the same person submitting twice.
    const recent = await recentLeadIdByPhone(
      deps.db,
      businessId,
      lead.phone,
      new Date(capturedAt.getTime() - DUPLICATE_WINDOW_MS),
    ).catch(() => null);
    if (recent) leadId = recent;
  }
  // Taken before the start, so a database outage with no ready key is a 503, not a lost lead.
  const dataKeyId = await takeLeadDataKey({ leadCodec: deps.leadCodec, leadId, businessId });

  const record = () =>
    withTenantSql(deps.db, businessId, (c) =>
      recordCapturedLead(c, { leadId, businessId, lead, capturedAt, dataKeyId, firstText: opts.firstText }),
    );
  let recorded = true;
  let messageId: string | null = null;
  if (opts.firstText) messageId = (await record()).messageId;
  else {
    await record().catch((err: Error) => {
      recorded = false;
      deps.log?.warn({ businessId, leadId, err: err.name }, 'lead not recorded at capture; its workflow records it');
    });
  }

  const input: LeadWorkflowInput = { leadId, businessId, lead, capturedAt: capturedAt.toISOString(), dataKeyId };
  if (opts.firstText && messageId) {
    await deps.leads.deliverInbound(input, {
      leadId,
      messageId,
      text: opts.firstText.body,
      receivedAt: capturedAt.toISOString(),
    });
  } else await deps.leads.start(input);
  return { leadId, recorded, messageId };
}
