import { generateSecret, generateURI } from 'otplib';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { AppError } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import type { SecretBox } from '../../domain/crypto/secret-box';
import { totpCodeValid } from './sign-in';
import { openTotpSecret, sealTotpSecret } from './totp-secret';

/** A new TOTP secret for the person's authenticator app; it counts once a code from it is confirmed. */
export async function setUpTotp(deps: { db: Db; totpBox: SecretBox | null }, actor: Actor & { userId: string }) {
  const secret = generateSecret();
  const email = await withTenant(deps.db, actor.businessId, async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: actor.userId } });
    if (user.totpEnabledAt) throw new AppError('conflict', 'two-factor sign-in is already on');
    await tx.user.update({
      where: { id: user.id },
      data: { totpSecret: sealTotpSecret(deps.totpBox, user.id, secret) },
    });
    return user.email;
  });
  return { secret, otpauthUrl: generateURI({ issuer: 'leadflow', label: email, secret }) };
}

export async function enableTotp(
  deps: { db: Db; now: () => Date; totpBox: SecretBox | null },
  actor: Actor & { userId: string },
  code: string,
) {
  await withTenant(deps.db, actor.businessId, async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: actor.userId } });
    if (!user.totpSecret) throw new AppError('conflict', 'set up two-factor sign-in first (POST /v1/auth/totp/setup)');
    if (!(await totpCodeValid(openTotpSecret(deps.totpBox, user.id, user.totpSecret), code, deps.now())))
      throw new AppError('bad_request', 'code: is not the current code of the authenticator app', [
        { field: 'code', reason: 'is not the current code' },
      ]);
    await tx.user.update({ where: { id: user.id }, data: { totpEnabledAt: deps.now() } });
    await recordAudit(tx, actor, { action: 'totp_enable', entity: 'user', entityId: user.id });
  });
}
