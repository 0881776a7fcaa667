import { verify as verifyTotp } from 'otplib';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { findUsersByEmail, type SignInCandidate } from '../../db/users';
import { passwordMatches, spendDecoyCompare } from '../../api/auth/passwords';
import { lockedFor, recordAuthFailure, type ThrottleOptions } from '../../api/auth/throttle';
import { AppError } from '../app-error';
import { recordAudit } from '../audit-log';
import { clearAccountFailures, recordAccountFailure, secondsUntil } from './account-lockout';
import { normaliseEmail } from './emails';
import type { SecretBox } from '../../domain/crypto/secret-box';
import { openTotpSecret } from './totp-secret';

/**
 * Sign-in failures per client address, counted apart from API-key failures (their own row in
 * auth_throttles): more generous than the account lockout, so one office behind one address is
 * not locked out by one person's typos, and never consulted for a valid API key.
 */
export const SIGN_IN_ADDRESS_THROTTLE: ThrottleOptions = {
  windowMs: 15 * 60_000,
  maxFailures: 30,
  lockMs: 15 * 60_000,
};

export interface SignedIn {
  user: { id: string; email: string; name: string; role: string };
  business: { id: string; name: string; timeZone: string };
}

const invalid = () => new AppError('invalid_credentials', 'the email or password is not right');
const accountLocked = (seconds: number) =>
  new AppError('account_locked', 'too many failed sign-ins: this account is locked for a while', null, seconds);

/** A TOTP code within one 30-second step either side of `now`. */
export async function totpCodeValid(secret: string, code: string, now: Date): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const result = await verifyTotp({ secret, token: code, epoch: Math.floor(now.getTime() / 1000), epochTolerance: 30 });
  return result.valid;
}

/**
 * Checks an email and password (and a TOTP code when the person turned it on). Every
 * failure looks the same to the caller; each counts against the account (10 in 15 minutes
 * lock it for 15) and the client address. Audited: the success, and each failure against
 * a known account (ids only).
 */
export async function signIn(
  deps: { db: Db; now: () => Date; addressThrottle?: ThrottleOptions; totpBox?: SecretBox | null },
  input: { email: string; password: string; totpCode?: string; address: string },
): Promise<SignedIn> {
  const now = deps.now();
  const addressKey = `sign-in|${input.address}`;
  const throttle = deps.addressThrottle ?? SIGN_IN_ADDRESS_THROTTLE;
  const addressLock = await lockedFor(deps.db, addressKey, now);
  if (addressLock)
    throw new AppError(
      'rate_limited',
      'too many failed sign-ins from this address; try again later',
      null,
      addressLock,
    );

  const email = normaliseEmail(input.email);
  const candidates = await findUsersByEmail(deps.db, email);
  const open = candidates.filter((c) => !secondsUntil(c.locked_until, now));
  let match: SignInCandidate | undefined;
  for (const candidate of open) {
    if (await passwordMatches(input.password, candidate.password_hash)) {
      match = candidate;
      break;
    }
  }
  if (candidates.length === 0) await spendDecoyCompare(input.password);

  if (match?.totp_enabled_at && match.totp_secret) {
    if (!input.totpCode) throw new AppError('totp_required', 'enter the code from your authenticator app');
    const secret = openTotpSecret(deps.totpBox ?? null, match.id, match.totp_secret);
    if (!(await totpCodeValid(secret, input.totpCode, now))) return fail([match]);
  }
  if (!match) {
    if (open.length === 0 && candidates.length > 0) {
      await recordAuthFailure(deps.db, addressKey, now, throttle);
      const seconds = Math.max(...candidates.map((c) => secondsUntil(c.locked_until, now) ?? 0));
      throw accountLocked(seconds);
    }
    return fail(open);
  }

  const user = { id: match.id, businessId: match.business_id };
  await clearAccountFailures(deps.db, user, now);
  return withTenant(deps.db, match.business_id, async (tx) => {
    const row = await tx.user.findUniqueOrThrow({
      where: { id: match.id },
      select: {
        id: true,
        email: true,
        name: true,
        role: true,
        business: { select: { id: true, name: true, timeZone: true } },
      },
    });
    await recordAudit(
      tx,
      { keyId: '', userId: row.id, businessId: row.business.id, role: row.role, ip: input.address },
      { action: 'sign_in', entity: 'user', entityId: row.id },
    );
    return { user: { id: row.id, email: row.email, name: row.name, role: row.role }, business: row.business };
  });

  async function fail(accounts: SignInCandidate[]): Promise<never> {
    await recordAuthFailure(deps.db, addressKey, now, throttle);
    let locked: number | null = null;
    for (const account of accounts) {
      const seconds = await recordAccountFailure(deps.db, { id: account.id, businessId: account.business_id }, now);
      locked = Math.max(locked ?? 0, seconds ?? 0) || locked;
      await withTenant(deps.db, account.business_id, (tx) =>
        recordAudit(
          tx,
          { keyId: '', userId: account.id, businessId: account.business_id, role: account.role, ip: input.address },
          { action: 'sign_in_failed', entity: 'user', entityId: account.id },
        ),
      );
    }
    throw locked ? accountLocked(locked) : invalid();
  }
}
