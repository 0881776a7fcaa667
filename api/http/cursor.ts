import { isUuid } from '../../domain/ids';
import { AppError } from './errors';
import { inDateRange } from './schemas';

/** Opaque keyset cursor: (createdAt, id) of the last row of the page. */
export function encodeCursor(c: { at: Date; id: string }): string {
  return Buffer.from(`${c.at.toISOString()}|${c.id}`, 'utf8').toString('base64url');
}

/**
 * The cursor's parts are checked like any input before they reach a query: a row id (a
 * UUID, the one id rule) and a time within the dates the API takes.
 */
export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = at ? new Date(at) : new Date(Number.NaN);
  if (!id || rest.length > 0 || !isUuid(id) || !inDateRange(date)) {
    throw new AppError('bad_request', 'cursor: is not a cursor this API returned', [
      { field: 'cursor', reason: 'is not a cursor this API returned' },
    ]);
  }
  return { at: date, id };
}
