import type { Tx } from '../db/tenant';
import type { AuthContext } from './auth/authenticate';

export type AuditAction =
  'read' | 'list' | 'create' | 'update' | 'delete' | 'export' | 'erase' | 'hold' | 'release' | 'message';

/**
 * Who touched personal data, how, when and from where — never the data itself. Written in
 * the same tenant transaction as the access, so no read goes unrecorded.
 */
export async function audit(
  tx: Tx,
  who: AuthContext,
  what: { action: AuditAction; entity: string; entityId?: string | null },
  ip: string,
): Promise<void> {
  await tx.auditLog.create({
    data: {
      businessId: who.businessId,
      actorKeyId: who.keyId,
      actorRole: who.role,
      action: what.action,
      entity: what.entity,
      entityId: what.entityId ?? null,
      ip,
    },
  });
}
