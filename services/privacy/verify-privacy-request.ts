import type { Prisma, PrivacyRequest } from '@prisma/client';
import type { OutcomeJson } from '../../activities/privacy/privacy-deps';
import type { Db } from '../../db/prisma';
import { withTenant } from '../../db/tenant';
import { codeMatches, type PrivacyKeys } from '../../domain/crypto/privacy-keys';
import { AppError, notFound } from '../app-error';
import { recordAudit, type Actor } from '../audit-log';
import { isUuid } from '../../domain/ids';
import type { PrivacyRequestClient } from './privacy-request-client';

/** Wrong codes a request accepts before it is locked (rejected). */
export const MAX_CODE_ATTEMPTS = 5;

/**
 * The person behind a request is verified: by the 6-digit code they received, relayed by
 * the business (`code`), or by an owner's confirmation (`confirm`). An expired code sends a
 * fresh one; the fifth wrong code locks the request.
 */
export async function verifyPrivacyRequest(
  deps: { db: Db; keys: PrivacyKeys | null; privacyRequests: PrivacyRequestClient; now: () => Date },
  opts: { actor: Actor; requestId: string; code?: string; confirm?: boolean },
): Promise<PrivacyRequest> {
  const { actor, requestId } = opts;
  if (!isUuid(requestId)) throw notFound('privacy request');
  if (!deps.keys) throw new AppError('unavailable', 'data-subject requests need ENCRYPTION_KEY to be configured');
  const keys = deps.keys;
  const now = deps.now();
  const result = await withTenant(deps.db, actor.businessId, async (tx) => {
    // One attempt at a time per request: concurrent guesses cannot both count as the fourth.
    const locked = await tx.$queryRaw<
      Array<{ id: string }>
    >`SELECT id FROM privacy_requests WHERE id = ${requestId}::uuid FOR UPDATE`;
    if (locked.length === 0) return { kind: 'not_found' as const };
    const r = await tx.privacyRequest.findUniqueOrThrow({ where: { id: requestId } });
    await recordAudit(tx, actor, { action: 'update', entity: 'privacy_request', entityId: r.id });
    if (r.status === 'rejected') return { kind: 'locked' as const };
    if (r.verifiedAt) return { kind: 'verified' as const, row: r };
    const outcome = (r.outcome ?? {}) as OutcomeJson;
    if (opts.confirm) {
      if (r.verificationMethod !== 'business_confirmation')
        return { kind: 'conflict' as const, message: 'confirm: this request is verified by a code to the person' };
      if (actor.role !== 'owner') return { kind: 'forbidden' as const };
    } else {
      if (r.verificationMethod === 'business_confirmation')
        return { kind: 'conflict' as const, message: 'code: this request is verified by an owner’s confirmation' };
      if (!r.codeHash || !r.codeExpiresAt)
        return { kind: 'conflict' as const, message: 'no code has been sent yet; retry shortly' };
      const failed = outcome.failedAttempts ?? 0;
      if (r.codeExpiresAt.getTime() < now.getTime()) return { kind: 'expired' as const };
      if (!codeMatches(keys, r.id, opts.code!, r.codeHash)) {
        const attempts = failed + 1;
        const lockNow = attempts >= MAX_CODE_ATTEMPTS;
        await tx.privacyRequest.update({
          where: { id: r.id },
          data: {
            outcome: { ...outcome, failedAttempts: attempts } as Prisma.InputJsonValue,
            ...(lockNow ? { status: 'rejected', codeHash: null } : {}),
          },
        });
        return { kind: 'wrong' as const, attemptsLeft: MAX_CODE_ATTEMPTS - attempts };
      }
    }
    const row = await tx.privacyRequest.update({
      where: { id: r.id },
      data: { verifiedAt: now, status: 'verified', codeHash: null, codeExpiresAt: null },
    });
    // The code did its job: it no longer sits readable in the outbox.
    await tx.message.updateMany({
      where: { idempotencyKey: { startsWith: `privacy-request-${r.id}:code-` } },
      data: { body: '[verification code, redacted after use]' },
    });
    return { kind: 'verified' as const, row };
  });
  switch (result.kind) {
    case 'not_found':
      throw notFound('privacy request');
    case 'locked':
      throw new AppError('conflict', 'the request is locked after too many wrong codes; open a new one');
    case 'forbidden':
      throw new AppError('forbidden', 'only an owner key can confirm the person for the business');
    case 'conflict':
      throw new AppError('conflict', result.message);
    case 'expired':
      await deps.privacyRequests.resendCode(requestId, now.toISOString());
      throw new AppError('unprocessable', 'code: has expired; a new code was sent', [
        { field: 'code', reason: 'expired' },
      ]);
    case 'wrong':
      if (result.attemptsLeft === 0) await deps.privacyRequests.verification(requestId, 'locked');
      throw new AppError(
        'unprocessable',
        result.attemptsLeft === 0
          ? 'code: is wrong; the request is now locked'
          : `code: is wrong; ${result.attemptsLeft} attempts left`,
        [{ field: 'code', reason: 'wrong', attemptsLeft: result.attemptsLeft }],
      );
    case 'verified':
      await deps.privacyRequests.verification(requestId, 'verified');
      return result.row;
  }
}
