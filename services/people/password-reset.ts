import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { findPasswordResetByTokenHash, findUsersByEmail } from '../../db/users';
import { hashPassword } from '../../api/auth/passwords';
import { AppError } from '../app-error';
import { recordAudit } from '../audit-log';
import { sendAccountEmail, type AccountEmailDeps } from './account-emails';
import { normaliseEmail } from './emails';
import { linkTokenHash, newLinkToken } from './tokens';

export const PASSWORD_RESET_TTL_MS = 30 * 60_000;
/** One reset email per account a minute at most: the form cannot be used to flood someone's inbox. */
const RESEND_AFTER_MS = 60_000;

/**
 * Emails a single-use reset link (30 minutes) to each account with this email. The caller
 * always hears the same (202), whether or not an account exists.
 */
export async function requestPasswordReset(
  deps: AccountEmailDeps & { now: () => Date; publicBaseUrl: string },
  input: { email: string; address: string },
): Promise<void> {
  const now = deps.now();
  const email = normaliseEmail(input.email);
  for (const account of await findUsersByEmail(deps.db, email)) {
    const { token, hash } = newLinkToken();
    const reset = await withTenant(deps.db, account.business_id, async (tx) => {
      const recent = await tx.passwordReset.findFirst({
        where: { userId: account.id, createdAt: { gt: new Date(now.getTime() - RESEND_AFTER_MS) } },
      });
      if (recent) return null;
      await tx.passwordReset.deleteMany({ where: { userId: account.id } });
      const row = await tx.passwordReset.create({
        data: {
          businessId: account.business_id,
          userId: account.id,
          tokenHash: hash,
          createdAt: now,
          expiresAt: new Date(now.getTime() + PASSWORD_RESET_TTL_MS),
        },
      });
      await recordAudit(
        tx,
        { keyId: '', userId: account.id, businessId: account.business_id, role: account.role, ip: input.address },
        { action: 'password_reset_request', entity: 'user', entityId: account.id },
      );
      return row;
    });
    if (!reset) continue;
    const link = `${deps.publicBaseUrl}/app/reset-password#token=${token}`;
    await sendAccountEmail(deps, {
      businessId: account.business_id,
      to: email,
      subject: 'Reset your leadflow password',
      text: `Someone asked to reset the password of your leadflow account.\n\nChoose a new password here (the link works once, for 30 minutes):\n${link}\n\nIf it was not you, ignore this email: your password stays as it is.`,
      link,
      kind: 'password_reset',
      idempotencyKey: `password-reset-${reset.id}`,
    });
  }
}

const badToken = () =>
  new AppError('bad_request', 'token: is not valid, already used or expired', [
    { field: 'token', reason: 'is not valid, already used or expired' },
  ]);

/** Sets the new password once per link; every session of the account ends and any lockout lifts. */
export async function completePasswordReset(
  deps: { db: Db; now: () => Date },
  input: { token: string; password: string; address: string },
): Promise<void> {
  const now = deps.now();
  const found = await findPasswordResetByTokenHash(deps.db, linkTokenHash(input.token));
  if (!found || found.used_at || found.expires_at <= now) throw badToken();
  const passwordHash = await hashPassword(input.password);
  await withTenant(deps.db, found.business_id, async (tx) => {
    const { count } = await tx.passwordReset.updateMany({
      where: { id: found.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (count === 0) throw badToken();
    const reset = await tx.passwordReset.findUniqueOrThrow({ where: { id: found.id } });
    const user = await tx.user.update({
      where: { id: reset.userId },
      data: { passwordHash, failedSignIns: 0, failureWindowStart: null, lockedUntil: null },
    });
    await tx.userSession.deleteMany({ where: { userId: user.id } });
    await recordAudit(
      tx,
      { keyId: '', userId: user.id, businessId: user.businessId, role: user.role, ip: input.address },
      { action: 'password_reset', entity: 'user', entityId: user.id },
    );
  });
}
