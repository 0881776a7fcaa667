import type { LeadCodec } from '../../codec/lead-data-converter';
import { DataKeyUnavailableError } from '../../codec/lead-data-keys';
import { AppError } from '../app-error';

/**
 * A lead's payloads are encrypted under its own data key, taken before its workflow starts
 * (codec/lead-data-keys): from the pool of ready keys, so capture works while Postgres is
 * down. With neither a ready key nor Postgres the caller is told to retry, and no lead is lost.
 */
export async function takeLeadDataKey({
  leadCodec,
  leadId,
  businessId,
  newLead = false,
}: {
  leadCodec: LeadCodec | null;
  leadId: string;
  businessId: string;
  /** The id was made by this capture: no key is stored for it (no lookup). */
  newLead?: boolean;
}): Promise<string | undefined> {
  if (!leadCodec) return undefined;
  try {
    return (await leadCodec.keys.keyForLead(leadId, businessId, { newLead })).id;
  } catch (err) {
    if (err instanceof DataKeyUnavailableError)
      throw new AppError(
        'unavailable',
        'no encryption key is ready and the database is unavailable; retry shortly',
        null,
        5,
      );
    throw err;
  }
}
