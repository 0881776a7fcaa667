import type { Tx } from './tenant';

/** Whether any of the address's hashes is suppressed for the transaction's business. */
export async function isEmailSuppressed(tx: Tx, hashes: string[]): Promise<boolean> {
  return (await tx.emailSuppression.count({ where: { addressHash: { in: hashes } } })) > 0;
}

/** Suppresses the address (by hash) for the business; a second unsubscribe changes nothing. */
export async function suppressEmail(tx: Tx, businessId: string, addressHash: string): Promise<void> {
  await tx.emailSuppression.createMany({ data: [{ businessId, addressHash }], skipDuplicates: true });
}
