import type { Prisma } from '@prisma/client';
import { isUniqueViolation } from './sql';
import type { Tx } from './tenant';

export interface AlertDraft {
  businessId: string;
  eventId: string;
  kind: string;
  reason: string;
  leadId?: string | null;
  privacyRequestId?: string | null;
  detail?: Record<string, unknown>;
}

/** The alert for this event: the row a previous attempt stored, or a new one. In the caller's tenant transaction. */
export async function storeAlertRow(tx: Tx, draft: AlertDraft) {
  const key = { businessId_eventId: { businessId: draft.businessId, eventId: draft.eventId } };
  const existing = await tx.alert.findUnique({ where: key });
  if (existing) return existing;
  return tx.alert.create({
    data: {
      businessId: draft.businessId,
      eventId: draft.eventId,
      kind: draft.kind,
      reason: draft.reason,
      leadId: draft.leadId ?? null,
      privacyRequestId: draft.privacyRequestId ?? null,
      detail: (draft.detail ?? {}) as Prisma.InputJsonValue,
    },
  });
}

export function findAlertByEvent(tx: Tx, businessId: string, eventId: string) {
  return tx.alert.findUnique({ where: { businessId_eventId: { businessId, eventId } } });
}

/**
 * The delivery row of one alert on one channel, written before the provider is called:
 * `created` says whether this attempt wrote it (a retry finds the earlier attempt's row).
 */
export async function openAlertDelivery(
  tx: Tx,
  draft: { businessId: string; alertId: string; channel: string; recipient: string | null; body: string },
) {
  const key = { alertId_channel: { alertId: draft.alertId, channel: draft.channel } };
  const existing = await tx.alertDelivery.findUnique({ where: key });
  if (existing) return { row: existing, created: false };
  try {
    return { row: await tx.alertDelivery.create({ data: draft }), created: true };
  } catch (err) {
    // The unique key: another attempt of the same step wrote the row first.
    if (!isUniqueViolation(err) && (err as { code?: string }).code !== 'P2002') throw err;
    return { row: await tx.alertDelivery.findUniqueOrThrow({ where: key }), created: false };
  }
}

export function updateAlertDelivery(
  tx: Tx,
  id: string,
  data: { status: string; providerId?: string | null; errorCode?: string | null; sentAt?: Date | null },
) {
  return tx.alertDelivery.update({ where: { id }, data });
}

export interface AlertView {
  id: string;
  kind: string;
  reason: string;
  leadId: string | null;
  privacyRequestId: string | null;
  detail: Record<string, unknown>;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

type AlertRow = Awaited<ReturnType<typeof storeAlertRow>>;

export const alertView = (a: AlertRow): AlertView => ({
  id: a.id,
  kind: a.kind,
  reason: a.reason,
  leadId: a.leadId,
  privacyRequestId: a.privacyRequestId,
  detail: a.detail as Record<string, unknown>,
  read: a.readAt !== null,
  readAt: a.readAt?.toISOString() ?? null,
  createdAt: a.createdAt.toISOString(),
});

/** Newest first, keyset-paged on (createdAt, id); `kinds` limits what a role may see. */
export async function findAlerts(
  tx: Tx,
  opts: { limit: number; after?: { at: Date; id: string } | null; unread?: boolean; kinds?: readonly string[] },
): Promise<{ data: AlertView[]; last: { at: Date; id: string } | null }> {
  const rows = await tx.alert.findMany({
    where: {
      ...(opts.unread ? { readAt: null } : {}),
      ...(opts.kinds ? { kind: { in: [...opts.kinds] } } : {}),
      ...(opts.after
        ? { OR: [{ createdAt: { lt: opts.after.at } }, { createdAt: opts.after.at, id: { lt: opts.after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: opts.limit + 1,
  });
  const page = rows.slice(0, opts.limit);
  const last = rows.length > opts.limit ? page[page.length - 1]! : null;
  return { data: page.map(alertView), last: last ? { at: last.createdAt, id: last.id } : null };
}

/** Marks one alert read (once: the first time stays); null when there is no such alert for this tenant or role. */
export async function markAlertRead(tx: Tx, id: string, kinds?: readonly string[]): Promise<AlertView | null> {
  const alert = await tx.alert.findFirst({ where: { id, ...(kinds ? { kind: { in: [...kinds] } } : {}) } });
  if (!alert) return null;
  if (alert.readAt) return alertView(alert);
  return alertView(await tx.alert.update({ where: { id }, data: { readAt: new Date() } }));
}
