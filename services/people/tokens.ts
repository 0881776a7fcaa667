import { createHash, randomBytes } from 'node:crypto';

/** A single-use link's token: 256 random bits, so a SHA-256 of it is all the database needs. */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: linkTokenHash(token) };
}

export const linkTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
