import type { Actor } from '../audit-log';
import { setBusinessLegalHold, type BusinessHold, type BusinessHoldDeps } from './business-legal-hold';

/** Holds every deletion of the tenant's data, the purge after cancellation included, until released. */
export function placeBusinessLegalHold(
  deps: BusinessHoldDeps,
  opts: { actor: Actor; reason: string },
): Promise<BusinessHold> {
  return setBusinessLegalHold(deps, {
    actor: opts.actor,
    hold: { reason: opts.reason, by: `key:${opts.actor.keyId}`, at: deps.now() },
  });
}
