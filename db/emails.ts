import type { Prisma } from '@prisma/client';
import type { Db } from './prisma';
import { withTenant, type Tx } from './tenant';

/**
 * The email log (`emails`): every email leadflow sends, written before the provider is
 * called, so a retried send finds its own row by key and the provider's Idempotency-Key
 * keeps a lost answer from becoming a second email. With the local provider the rows are
 * the outbox. Kept and erased like messaging logs.
 */
export type EmailKind = 'alert' | 'follow_up' | 'verification_code' | 'invitation' | 'password_reset';

export interface EmailDraft {
  businessId: string;
  leadId?: string | null;
  from: string;
  to: string;
  subject: string;
  body: string;
  headers?: Record<string, string>;
  kind: EmailKind;
  provider: string;
  /** Stable across retries of one send, e.g. event id + channel; at most 256 characters (Resend's limit). */
  idempotencyKey: string;
}

export const EMAIL_IDEMPOTENCY_KEY_MAX = 256;

/** The row for this key: the one a previous attempt wrote, or a new one. In the caller's tenant transaction. */
export async function openEmail(tx: Tx, draft: EmailDraft) {
  if (draft.idempotencyKey.length < 1 || draft.idempotencyKey.length > EMAIL_IDEMPOTENCY_KEY_MAX)
    throw new RangeError(`email idempotency key must be 1 to ${EMAIL_IDEMPOTENCY_KEY_MAX} characters`);
  const existing = await tx.email.findUnique({ where: { idempotencyKey: draft.idempotencyKey } });
  if (existing) return existing;
  return tx.email.create({
    data: {
      businessId: draft.businessId,
      leadId: draft.leadId ?? null,
      fromAddress: draft.from,
      toAddress: draft.to,
      subject: draft.subject,
      body: draft.body,
      headers: (draft.headers ?? {}) as Prisma.InputJsonValue,
      kind: draft.kind,
      provider: draft.provider,
      idempotencyKey: draft.idempotencyKey,
    },
  });
}

export function markEmailSent(tx: Tx, id: string, providerId: string) {
  return tx.email.update({ where: { id }, data: { status: 'sent', providerId, sentAt: new Date(), errorCode: null } });
}

/** A permanent refusal: the row stays as the record that the email was not sent, and why. */
export function markEmailFailed(tx: Tx, id: string, errorCode: string) {
  return tx.email.update({ where: { id }, data: { status: 'failed', errorCode } });
}

export interface DevEmail {
  id: string;
  leadId: string | null;
  from: string;
  to: string;
  subject: string;
  body: string;
  headers: Record<string, string>;
  kind: string;
  status: string;
  createdAt: string;
}

/** The local outbox in one tenant transaction (a route may audit the read in the same one). Newest first. */
export async function findDevEmails(tx: Tx, opts: { limit: number; leadId?: string }): Promise<DevEmail[]> {
  const rows = await tx.email.findMany({
    where: { provider: 'local', ...(opts.leadId ? { leadId: opts.leadId } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit,
  });
  return rows.map((e) => ({
    id: e.id,
    leadId: e.leadId,
    from: e.fromAddress,
    to: e.toAddress,
    subject: e.subject,
    body: e.body,
    headers: e.headers as Record<string, string>,
    kind: e.kind,
    status: e.status,
    createdAt: e.createdAt.toISOString(),
  }));
}

/** GET /v1/dev/emails: what the local email provider "sent" for one business, newest first. */
export function listDevEmails(opts: { db: Db; businessId: string; limit: number; leadId?: string }) {
  return withTenant(opts.db, opts.businessId, (tx) => findDevEmails(tx, opts));
}
