import type { Tx } from '../db/tenant';
import { recordAudit, type Actor, type AuditAction } from '../services/audit-log';
import type { AuthContext } from './auth/authenticate';

export type { AuditAction };

/** The calling key and its client address, as the use cases record them. */
export const actorOf = (who: AuthContext, ip: string): Actor => ({ ...who, ip });

/** A route's read or change of personal data, in the caller's tenant transaction (services/audit-log). */
export async function audit(
  tx: Tx,
  who: AuthContext,
  what: { action: AuditAction; entity: string; entityId?: string | null },
  ip: string,
): Promise<void> {
  await recordAudit(tx, actorOf(who, ip), what);
}
