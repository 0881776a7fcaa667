import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { isUuid } from '../../domain/ids';

/**
 * Revokes a key at once (the caller drops it from its cache). The last active owner key
 * stays: without it nobody could manage the business.
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
      const owners = await tx.apiKey.count({ where: { role: 'owner', revokedAt: null } });
      if (owners <= 1)
        throw new AppError('conflict', 'the last active owner key cannot be revoked: create another first');
    }
    await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: key.revokedAt ?? deps.now() } });
    await recordAudit(tx, actor, { action: 'delete', entity: 'api_key', entityId: key.id });
  });
  deps.forget?.(keyId);
}
