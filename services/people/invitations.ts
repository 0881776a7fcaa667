import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { findInvitationByTokenHash } from '../../db/users';
import type { PersonRole } from '../../domain/roles';
import { hashPassword } from '../../api/auth/passwords';
import { AppError } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { sendAccountEmail, type AccountEmailDeps } from './account-emails';
import { normaliseEmail } from './emails';
import { linkTokenHash, newLinkToken } from './tokens';

export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

/** An owner invites a person by email; the email carries a single-use link into the app, valid 7 days. */
export async function invitePerson(
  deps: AccountEmailDeps & { now: () => Date; publicBaseUrl: string },
  opts: { actor: Actor; email: string; role: PersonRole },
) {
  const now = deps.now();
  const email = normaliseEmail(opts.email);
  const { token, hash } = newLinkToken();
  const { invitation, businessName } = await withTenant(deps.db, opts.actor.businessId, async (tx) => {
    if (await tx.user.findUnique({ where: { businessId_email: { businessId: opts.actor.businessId, email } } }))
      throw new AppError('conflict', 'email: already has an account in this business', [
        { field: 'email', reason: 'already has an account in this business' },
      ]);
    // Ended invitations go as new ones are made: the table holds open ones only.
    await tx.invitation.deleteMany({ where: { expiresAt: { lte: now } } });
    const invitation = await tx.invitation.create({
      data: {
        businessId: opts.actor.businessId,
        email,
        role: opts.role,
        tokenHash: hash,
        createdAt: now,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
      },
    });
    await recordAudit(tx, opts.actor, { action: 'invite', entity: 'invitation', entityId: invitation.id });
    const business = await tx.business.findUniqueOrThrow({ where: { id: opts.actor.businessId } });
    return { invitation, businessName: business.name };
  });
  // The token in the fragment: a browser never sends it to a server, so no log or Referer holds it.
  const link = `${deps.publicBaseUrl}/app/accept-invitation#token=${token}`;
  await sendAccountEmail(deps, {
    businessId: opts.actor.businessId,
    to: email,
    subject: `You are invited to ${businessName} on leadflow`,
    text: `You are invited to join ${businessName} on leadflow as ${opts.role}.\n\nSet your password here (the link works once, for 7 days):\n${link}\n\nIf you did not expect this, ignore this email.`,
    link,
    kind: 'invitation',
    idempotencyKey: `invitation-${invitation.id}`,
  });
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    expiresAt: invitation.expiresAt.toISOString(),
  };
}

const badToken = () =>
  new AppError('bad_request', 'token: is not valid, already used or expired', [
    { field: 'token', reason: 'is not valid, already used or expired' },
  ]);

/** Accepting makes the account (bcrypt-hashed password); the link works once. */
export async function acceptInvitation(
  deps: { db: Db; now: () => Date },
  input: { token: string; password: string; name: string; address: string },
): Promise<{ userId: string; businessId: string; role: string }> {
  const now = deps.now();
  const found = await findInvitationByTokenHash(deps.db, linkTokenHash(input.token));
  if (!found || found.accepted_at || found.expires_at <= now) throw badToken();
  const passwordHash = await hashPassword(input.password);
  return withTenant(deps.db, found.business_id, async (tx) => {
    // Conditional: of two simultaneous accepts, one wins.
    const { count } = await tx.invitation.updateMany({
      where: { id: found.id, acceptedAt: null, expiresAt: { gt: now } },
      data: { acceptedAt: now },
    });
    if (count === 0) throw badToken();
    const invitation = await tx.invitation.findUniqueOrThrow({ where: { id: found.id } });
    const existing = await tx.user.findUnique({
      where: { businessId_email: { businessId: invitation.businessId, email: invitation.email } },
    });
    if (existing) throw new AppError('conflict', 'this email already has an account; sign in instead');
    const user = await tx.user.create({
      data: {
        businessId: invitation.businessId,
        email: invitation.email,
        name: input.name,
        role: invitation.role,
        passwordHash,
        createdAt: now,
        lastSignInAt: now,
      },
    });
    const actor = { keyId: '', userId: user.id, businessId: user.businessId, role: user.role, ip: input.address };
    await recordAudit(tx, actor, { action: 'accept_invitation', entity: 'invitation', entityId: invitation.id });
    await recordAudit(tx, actor, { action: 'sign_in', entity: 'user', entityId: user.id });
    return { userId: user.id, businessId: user.businessId, role: user.role };
  });
}
