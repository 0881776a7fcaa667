import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { suppressEmail } from '../../db/email-suppressions';
import type { Keyring } from '../../domain/crypto/keyring';
import { emailSuppressionHash, readUnsubscribeToken } from '../../domain/email-unsubscribe';
import { AppError } from '../app-error';

/**
 * The one-click unsubscribe (RFC 8058): the lead's address stops getting this business's
 * follow-up emails. Using the link again changes nothing; a lead since erased has no address
 * left to suppress, and nothing is sent to it anyway.
 */
export async function unsubscribeEmail(deps: { db: Db; keyring: Keyring | null }, token: string): Promise<void> {
  if (!deps.keyring) throw new AppError('unavailable', 'unsubscribe links cannot be checked without ENCRYPTION_KEY');
  const { keyring } = deps;
  const named = readUnsubscribeToken(keyring, token);
  if (!named)
    throw new AppError('bad_request', 'token: is not a valid unsubscribe token', [
      { field: 'token', reason: 'is not a valid unsubscribe token' },
    ]);
  await withTenant(deps.db, named.businessId, async (tx) => {
    const lead = await tx.lead.findUnique({ where: { id: named.leadId }, select: { email: true } });
    if (lead?.email)
      await suppressEmail(tx, named.businessId, emailSuppressionHash(keyring, named.businessId, lead.email));
  });
}
