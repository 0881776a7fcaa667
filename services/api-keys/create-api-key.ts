import type { Db } from '../../db/prisma';
import { withTenant, type Tx } from '../../db/tenant';
import { generateApiKey } from '../../api/auth/api-keys';
import type { ApiKeyRole } from '../../domain/roles';
import { recordAudit, type Actor } from '../audit-log';

export interface ApiKeyRow {
  id: string;
  role: string;
  label: string;
  lookup: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A key as it is listed: its prefix identifies it, the key itself is never shown again. */
export function keyView(k: ApiKeyRow) {
  const prefix = k.role === 'widget' ? 'lf_pub_' : 'lf_live_';
  return {
    id: k.id,
    role: k.role as ApiKeyRole,
    label: k.label,
    prefix: `${prefix}${k.lookup}`,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}

/** A new key in the caller's tenant transaction (business creation, the seed, tests); only its hash is stored. */
export async function createKey(tx: Tx, businessId: string, role: ApiKeyRole, label: string) {
  const key = generateApiKey(role);
  const row = await tx.apiKey.create({ data: { businessId, role, label, lookup: key.lookup, hash: key.hash } });
  return { ...keyView(row), key: key.key };
}

/** An owner creates a key for the business; it is shown once. */
export async function createApiKey(
  deps: { db: Db },
  opts: { actor: Actor; role: ApiKeyRole; label: string },
): Promise<Awaited<ReturnType<typeof createKey>>> {
  return withTenant(deps.db, opts.actor.businessId, async (tx) => {
    const created = await createKey(tx, opts.actor.businessId, opts.role, opts.label);
    await recordAudit(tx, opts.actor, { action: 'create', entity: 'api_key', entityId: created.id });
    return created;
  });
}
