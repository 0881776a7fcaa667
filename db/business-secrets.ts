import type { SecretBox } from '../domain/crypto/secret-box';
import type { Db } from './prisma';
import { withTenant } from './tenant';

export type SecretKind = 'google_calendar' | 'twilio';

/** The context a sealed value is bound to: it opens only on its own business and kind. */
const context = (businessId: string, kind: SecretKind) => `${kind}:${businessId}`;

/** Seals and stores a business's credential (a calendar refresh token, a provider key). */
export async function storeBusinessSecret(
  db: Db,
  box: SecretBox,
  input: { businessId: string; kind: SecretKind; secret: string; settings?: Record<string, string> },
): Promise<void> {
  const sealed = box.seal(input.secret, context(input.businessId, input.kind));
  await withTenant(db, input.businessId, (tx) =>
    tx.businessSecret.upsert({
      where: { businessId_kind: { businessId: input.businessId, kind: input.kind } },
      create: {
        businessId: input.businessId,
        kind: input.kind,
        keyId: sealed.keyId,
        ciphertext: sealed.ciphertext,
        settings: input.settings ?? {},
      },
      update: { keyId: sealed.keyId, ciphertext: sealed.ciphertext, settings: input.settings ?? {} },
    }),
  );
}

/** Opens a stored credential; throws (SecretBoxError) when no configured key opens it. */
export async function loadBusinessSecret(
  db: Db,
  box: SecretBox,
  input: { businessId: string; kind: SecretKind },
): Promise<{ secret: string; settings: Record<string, string> } | null> {
  const row = await withTenant(db, input.businessId, (tx) =>
    tx.businessSecret.findFirst({ where: { kind: input.kind } }),
  );
  if (!row) return null;
  return {
    secret: box
      .open({ keyId: row.keyId, ciphertext: row.ciphertext }, context(input.businessId, input.kind))
      .toString('utf8'),
    settings: row.settings as Record<string, string>,
  };
}
