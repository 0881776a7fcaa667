import type { LeadState, NextActionKind } from './definitions';

const DAY = 24 * 3_600_000;
/** Invoice reminders, days after the invoice while it is unpaid. */
export const INVOICE_REMINDER_DAYS = [3, 7] as const;
/** The review request's one reminder, days after it. */
export const REVIEW_REMINDER_DAYS = 3;
/** At most one review request per lead in this many days. */
export const REVIEW_REQUEST_EVERY_DAYS = 90;

interface Planning {
  now: number;
  /** The lead may be texted (no STOP, no restriction, not failed) and the account is active. */
  sending: boolean;
  /** …and no person at the business is handling the lead (review texts are the AI's kind of ask). */
  automated: boolean;
  /** Automated texts wait for the lead's window; null when it opens too late to matter. */
  inWindow: (ms: number) => number | null;
  earliest: number;
}

/**
 * The post-job steps planNext weighs: creating the invoice at once, its reminders while
 * unpaid, the thank-you once paid, the review request and its reminder. Pure, like planNext.
 */
export function afterJobCandidates(state: LeadState, p: Planning): Array<{ kind: NextActionKind; ms: number }> {
  const out: Array<{ kind: NextActionKind; ms: number }> = [];
  const { invoice, review } = state;
  if (invoice?.status === 'creating') out.push({ kind: 'create_invoice', ms: p.now });
  // The payment is recorded and the business told whether or not the lead may be texted.
  if (invoice?.status === 'paid' && invoice.thankPending) out.push({ kind: 'invoice_paid', ms: p.now });
  if (
    p.sending &&
    invoice?.status === 'open' &&
    invoice.openedAt &&
    invoice.remindersSent < INVOICE_REMINDER_DAYS.length
  ) {
    const due = Date.parse(invoice.openedAt) + INVOICE_REMINDER_DAYS[invoice.remindersSent]! * DAY;
    const ms = p.inWindow(Math.max(p.earliest, due));
    if (ms !== null) out.push({ kind: 'invoice_reminder', ms });
  }
  if (p.automated && review) {
    if (review.dueFrom) {
      const ms = p.inWindow(Math.max(p.earliest, Date.parse(review.dueFrom)));
      if (ms !== null) out.push({ kind: 'review_request', ms });
    } else if (review.lastRequestedAt && !review.reminderDone) {
      const ms = p.inWindow(Math.max(p.earliest, Date.parse(review.lastRequestedAt) + REVIEW_REMINDER_DAYS * DAY));
      if (ms !== null) out.push({ kind: 'review_reminder', ms });
    }
  }
  return out;
}

/** Whether a review request may be asked for now: none within the last 90 days. */
export function reviewAllowed(state: LeadState, now: number): boolean {
  const last = state.review?.lastRequestedAt;
  return !last || now - Date.parse(last) >= REVIEW_REQUEST_EVERY_DAYS * DAY;
}
