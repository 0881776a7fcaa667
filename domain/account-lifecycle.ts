import { retentionDays, type RetentionOverrides } from './retention';

/**
 * Stripe subscription states, grouped by what leadflow does with them. Pure, so the API,
 * the activities and the account workflow agree.
 */
export const isActiveSubscription = (status: string) => status === 'active' || status === 'trialing';

/**
 * The subscription is over: `canceled`, or Stripe's terminal `incomplete_expired` (the
 * first payment never succeeded). Every other state (past_due, unpaid, incomplete,
 * paused) keeps the account and only pauses its automation.
 */
export const isEndedSubscription = (status: string) => status === 'canceled' || status === 'incomplete_expired';

/**
 * Days from cancellation to the purge of a cancelled tenant's data.
 *
 * Two published policies speak to it. Kontraktr: "Upon cancellation, your data is retained
 * for thirty (30) days to allow for data export" (`cancelled_account`). Lektera: "account
 * data for the life of your subscription plus 12 months" (`account_after_subscription`).
 * Both are upper bounds on how long data outlives the subscription, and nothing may
 * silently lengthen a period, so the shorter of the two governs: 30 days by default, or
 * whichever the tenant shortened further. Read this way, "subscription + 12 months" never
 * keeps data longer than the export window; it only matters to a tenant who configured it
 * below 30 days. Billing records are not account data here: they follow `billing_records`.
 */
export function accountPurgeDays(overrides: RetentionOverrides = {}): number {
  return Math.min(
    retentionDays('cancelled_account', overrides),
    retentionDays('account_after_subscription', overrides),
  );
}
