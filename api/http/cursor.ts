import { AppError } from './errors';

/** Opaque keyset cursor: (createdAt, id) of the last row of the page. */
export function encodeCursor(c: { at: Date; id: string }): string {
  return Buffer.from(`${c.at.toISOString()}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = at ? new Date(at) : new Date(Number.NaN);
  if (!id || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw new AppError('bad_request', 'cursor: is not a cursor this API returned', [
      { field: 'cursor', reason: 'is not a cursor this API returned' },
    ]);
  }
  return { at: date, id };
}
