import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/prisma';
import { hashPassword } from '../../api/auth/passwords';

export const DEMO_OWNER_EMAIL = 'owner@demo.leadflow.local';

/**
 * The demo business's first person, made once by `npm start` with a random password that is
 * printed once (it is stored only as a bcrypt hash). Null when the account already exists.
 * Runs on the owner connection, as the seed does.
 */
export async function ensureDemoOwner(db: Db, businessId: string): Promise<{ email: string; password: string } | null> {
  const existing = await db.user.findUnique({ where: { businessId_email: { businessId, email: DEMO_OWNER_EMAIL } } });
  if (existing) return null;
  const password = randomBytes(12).toString('base64url');
  await db.user.create({
    data: {
      businessId,
      email: DEMO_OWNER_EMAIL,
      name: 'Demo owner',
      role: 'owner',
      passwordHash: await hashPassword(password),
    },
  });
  return { email: DEMO_OWNER_EMAIL, password };
}
