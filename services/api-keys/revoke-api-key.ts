import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { isUuid } from '../../domain/ids';

/**
 * Revokes a key at once (the caller drops it from its cache). The last active owner key
 * stays: without it nobody could manage the business.
 *
 * The check holds under concurrency: the business's active owner keys are locked (in id
 * order, so two revocations never deadlock) before they are counted. Two owners revoking
 * each other at once take turns; the second sees the first's revocation and is refused.
 */
export async function revokeApiKey(
  deps: { db: Db; now: () => Date; forget?: (keyId: string) => void },
  opts: { actor: Actor; keyId: string },
): Promise<void> {
  const { actor, keyId } = opts;
  if (!isUuid(keyId)) throw notFound('API key');
  await withTenant(deps.db, actor.businessId, async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: keyId } });
    if (!key) throw notFound('API key');
    if (key.role === 'owner' && !key.revokedAt) {
      const owners = await tx.$queryRaw<Array<{ id: string }>>`
        SELECT id FROM api_keys
        WHERE business_id = ${actor.businessId}::uuid AND role = 'owner' AND revoked_at IS NULL
        ORDER BY id FOR UPDATE`;
      // Revoked by someone else meanwhile: then this key is not what keeps the business managed.
      if (owners.some((o) => o.id === key.id) && owners.length <= 1)
        throw new AppError('conflict', 'the last active owner key cannot be revoked: create another first');
    }
    // A key revoked earlier keeps its first revocation time.
    await tx.apiKey.updateMany({ where: { id: key.id, revokedAt: null }, data: { revokedAt: deps.now() } });
    await recordAudit(tx, actor, { action: 'delete', entity: 'api_key', entityId: key.id });
  });
  deps.forget?.(keyId);
}
