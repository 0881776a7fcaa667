import type { Tx } from '../../db/tenant';
import type { PrivacyRequestType } from '../../workflows/privacy/definitions';
import { AppError } from '../app-error';

/**
 * A data-subject request for a person the business imported and who never became a lead.
 * Such a person has no conversation to send a code into (an imported customer is texted by
 * no one), so the business's owner confirms who they are; and what the request can do is
 * erase them. (A person who also became a lead is that lead's request: its erasure takes
 * their imported records too.)
 */
export async function importedSubject(
  tx: Tx,
  opts: { phone: string; type: PrivacyRequestType; verified: boolean },
): Promise<{ customerId: string } | { error: AppError } | null> {
  const customer = await tx.customer.findFirst({
    where: { phone: opts.phone },
    orderBy: { createdAt: 'desc' },
    select: { id: true },
  });
  if (!customer) return null;
  if (opts.type !== 'deletion')
    return {
      error: new AppError(
        'unprocessable',
        'type: the phone belongs to an imported customer only, for whom a deletion request can be opened',
      ),
    };
  if (!opts.verified)
    return {
      error: new AppError(
        'unprocessable',
        'verification.method: an imported customer is verified by the owner’s business_confirmation',
      ),
    };
  return { customerId: customer.id };
}
