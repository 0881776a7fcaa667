import type { Db } from '../../db/prisma';
import { LEAD_INTAKE_PARAMS } from '../../db/lead-intake';
import { pooled, sql } from '../../db/sql';
import { nextSendTime } from '../../domain/quiet-hours';
import type { ReadForSend, Sender, SendLeadSmsInput, SendOutcome } from '../sms/send-lead-sms';
import {
  leadContext,
  recordLeadValues,
  type LeadContext,
  type RecordedLead,
  type RecordLeadInput,
} from './lead-activities';

/** Later than this after the workflow asked, the reply is planned by the workflow again. */
const LATE_MS = 60_000;

/** Flat, with the lead's id at the top: the payload codec encrypts it under the lead's key (codec/lead-payload-codec). */
export interface RecordAndFirstReplyInput extends RecordLeadInput {
  /** The first reply as the workflow would send it; its language defaults to the one recording found. */
  reply: Omit<SendLeadSmsInput, 'kind' | 'businessId' | 'leadId'>;
}

export interface RecordAndFirstReplyResult {
  context: LeadContext;
  /** Null when the first reply was not due at once (quiet hours, an inactive account): the workflow plans it. */
  reply: SendOutcome | null;
}

/**
 * recordLead and the first reply's read in one call that sets its own tenant
 * (prisma/migrations/20261204180000_lead_intake_in_one_call): one round trip where a
 * transaction took four. $17: the reply's outbox key; $18, $19: as the send's read.
 */
const RECORD_AND_READ = `SELECT * FROM leadflow_record_lead_and_read(${LEAD_INTAKE_PARAMS}, $17, $18, $19)`;

/**
 * A new lead's first two steps in one activity: record it, then, if its first reply is due
 * now, send it. Most leads arrive inside their send window, and for them this is one activity
 * and one call to Postgres before composing (the cost per lead, bench/RESULTS.md): recording
 * and the send's read are one function; the read is wasted only when the reply is not due.
 * Each half keeps its own guarantee: recording is an upsert and the reply goes through the
 * outbox under the step's key, so a retry neither records twice nor texts twice. Whether it
 * is due is the workflow's own plan (planNext's first_reply: the lead's window at the
 * workflow's time, `reply.at`, and an active account); a reply not due now is left to the
 * workflow, which plans it.
 */
export function createRecordAndFirstReplyActivities(deps: { db: Db; sender: Sender }) {
  return {
    async recordLeadAndFirstReply(input: RecordAndFirstReplyInput): Promise<RecordAndFirstReplyResult> {
      const { reply, ...record } = input;
      // The number recording sees: its keyed hashes are checked in the send's read.
      const asked = deps.sender.readFor(record.businessId, record.lead.phone);
      const [row] = await sql<RecordedLead & ReadForSend>(deps.db, RECORD_AND_READ, [
        ...recordLeadValues(record),
        reply.idempotencyKey,
        ...asked.values,
      ]);
      const context = await leadContext(record, row);
      // The workflow's time, as its plan would see it (on the time-skipping test server too).
      const now = Date.parse(reply.at);
      const from = Math.max(now, Date.parse(record.capturedAt));
      // A retry after an outage (or a long queue) is late: the window may have closed since, so
      // the workflow plans the reply again at its own time. (The test server's time runs ahead.)
      const late = Date.now() - now > LATE_MS;
      const due = !late && context.automationActive && nextSendTime(new Date(from), context.timeZone).getTime() <= now;
      if (!due) return { context, reply: null };
      const send: SendLeadSmsInput = {
        ...reply,
        businessId: record.businessId,
        leadId: record.leadId,
        kind: 'first_reply',
        language: reply.language ?? context.language,
      };
      const prepared = await deps.sender.check(pooled(deps.db), send, row!, asked.cached, record.lead.phone);
      return { context, reply: await deps.sender.sendPrepared(send, prepared) };
    },
  };
}
