import type { Prisma } from '@prisma/client';
import { eraseImportedCustomers } from '../../db/customers';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import type { OutcomeJson } from './privacy-deps';

/** A legal hold on the business pauses the erasure of an imported customer, as of a lead. */
export async function importedSubjectHeld(db: Db, input: { businessId: string }): Promise<boolean> {
  const business = await withTenant(db, input.businessId, (tx) =>
    tx.business.findUnique({ where: { id: input.businessId }, select: { legalHoldAt: true } }),
  );
  return Boolean(business?.legalHoldAt);
}

/**
 * Erasure when the subject is an imported customer who never became a lead: every imported
 * record with their phone or email address, with its consent records and appointments,
 * in one transaction that also records the outcome (a retry finds it and does nothing again).
 * Nothing of theirs is at a provider: an imported customer is never texted or booked.
 */
export async function eraseImportedSubject(
  db: Db,
  input: { requestId: string; businessId: string; subjectId: string },
): Promise<{ held: boolean; counts: Record<string, number> }> {
  const counts = await withTenant(db, input.businessId, async (tx) => {
    const request = await tx.privacyRequest.findUniqueOrThrow({
      where: { id: input.requestId },
      select: { outcome: true },
    });
    const done = ((request.outcome ?? {}) as OutcomeJson).erased;
    if (done) return done;
    const customer = await tx.customer.findUnique({
      where: { id: input.subjectId },
      select: { phone: true, email: true },
    });
    const erased: Record<string, number> = customer
      ? await eraseImportedCustomers(tx, customer)
      : { imported_customers: 0, customer_consent_records: 0, customer_appointments: 0 };
    const outcome: OutcomeJson = { ...((request.outcome ?? {}) as OutcomeJson), erased };
    await tx.privacyRequest.update({
      where: { id: input.requestId },
      data: { outcome: outcome as Prisma.InputJsonValue },
    });
    return erased;
  });
  return { held: false, counts };
}
