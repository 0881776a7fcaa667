import bcrypt from 'bcrypt';

/** bcrypt's work factor: about 200 ms per hash on the reference machine, and the policies' "bcrypt". */
export const BCRYPT_COST = 12;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

export function passwordMatches(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

// Compared against when no account has the email, so an unknown email takes as long as a wrong password.
const DECOY = bcrypt.hashSync('leadflow-decoy-password', BCRYPT_COST);

export async function spendDecoyCompare(password: string): Promise<void> {
  await bcrypt.compare(password, DECOY);
}
