import type { createAlertActivities } from './alerts/alert-activities';
import type { createAccountActivities } from './account/account-activities';
import type { createBookingActivities } from './booking/booking-activities';
import type { createClassifyActivities } from './conversation/classify-activities';
import type { createLeadActivities } from './leads/lead-activities';
import type { createRecordAndFirstReplyActivities } from './leads/record-and-first-reply';
import type { createPrivacyActivities } from './privacy/privacy-activities';
import type { createRetentionSweepActivities } from './retention/sweep-activities';
import type { createSendActivities } from './sms/send-lead-sms';
import type { createLeadEmailActivities } from './email/send-lead-email';
import type { createInvoiceActivities } from './invoices/invoice-activities';

/*
 * What workflows see of activities, one type per area: types only, never the
 * implementations (the workflow bundle must not import them). A workflow proxies the
 * areas it uses, so it cannot call another area's activity by mistake.
 */

/** The lead's own rows: capture, status, suppression, the business notice, the retention deletion. */
export type LeadPersistenceActivities = ReturnType<typeof createLeadActivities>;
/** A new lead recorded and, when due at once, answered: one activity for both. */
export type RecordAndFirstReplyActivities = ReturnType<typeof createRecordAndFirstReplyActivities>;
/** Every text to a lead, through the outbox. */
export type SendActivities = ReturnType<typeof createSendActivities>;
/** Follow-up emails to a lead, through the email log. */
export type LeadEmailActivities = ReturnType<typeof createLeadEmailActivities>;
/** Open slots, appointments, their settlement. */
export type BookingActivities = ReturnType<typeof createBookingActivities>;
/** What an inbound text asks for. */
export type ClassifyActivities = ReturnType<typeof createClassifyActivities>;
/** One business's account: Stripe state, its lead workflows, the tenant purge. */
export type AccountActivities = ReturnType<typeof createAccountActivities>;
/** Data-subject requests: verification, deadlines, access, correction, limits, erasure. */
export type PrivacyActivities = ReturnType<typeof createPrivacyActivities>;
/** The retention sweep and its run record. */
export type RetentionSweepActivities = ReturnType<typeof createRetentionSweepActivities>;
/** Alerts to the business: the stored inbox and one activity per channel. */
export type AlertActivities = ReturnType<typeof createAlertActivities>;
/** A finished job's Stripe invoice. */
export type InvoiceActivities = ReturnType<typeof createInvoiceActivities>;
