import type { Tx } from '../db/tenant';

export type AuditAction =
  | 'read'
  | 'list'
  | 'create'
  | 'update'
  | 'delete'
  | 'export'
  | 'erase'
  | 'hold'
  | 'release'
  | 'message'
  // People and sessions (services/people).
  | 'sign_in'
  | 'sign_in_failed'
  | 'sign_out'
  | 'invite'
  | 'accept_invitation'
  | 'role_change'
  | 'password_reset_request'
  | 'password_reset'
  | 'totp_enable'
  | 'revoke';

/** Who acts: a key of the business, and the client address it came from. */
export interface Actor {
  /** The API key; ignored when a signed-in person acts (userId). */
  keyId: string;
  userId?: string;
  businessId: string;
  role: string;
  ip: string;
}

/**
 * Who touched personal data, how, when and from where — never the data itself. Written in
 * the same tenant transaction as the access, so no read goes unrecorded.
 */
export async function recordAudit(
  tx: Tx,
  actor: Actor,
  what: { action: AuditAction; entity: string; entityId?: string | null },
): Promise<void> {
  await tx.auditLog.create({
    data: {
      businessId: actor.businessId,
      actorKeyId: actor.userId ? null : actor.keyId,
      actorUserId: actor.userId ?? null,
      actorRole: actor.role,
      action: what.action,
      entity: what.entity,
      entityId: what.entityId ?? null,
      ip: actor.ip,
    },
  });
}
