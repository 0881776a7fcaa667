import type { Actor } from '../audit-log';
import { setBusinessLegalHold, type BusinessHold, type BusinessHoldDeps } from './business-legal-hold';

/** Deletion timers resume; leads with their own hold stay held. */
export function releaseBusinessLegalHold(deps: BusinessHoldDeps, opts: { actor: Actor }): Promise<BusinessHold> {
  return setBusinessLegalHold(deps, { actor: opts.actor, hold: null });
}
