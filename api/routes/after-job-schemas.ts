import { z } from 'zod';
import { INVOICE_REMINDER_DAYS, REVIEW_REMINDER_DAYS } from '../../workflows/lead/after-job';
import type { InvoiceState, ReviewState } from '../../workflows/lead/definitions';

const DAY = 86_400_000;

export const ZLeadInvoiceSchema = z
  .object({
    appointmentId: z.string().max(64),
    status: z.enum(['creating', 'open', 'paid', 'failed']).openapi({
      description:
        'creating: Stripe is being asked; open: sent to the lead, unpaid; paid: Stripe’s invoice.paid webhook said so; failed: Stripe refused or stayed down (an invoice_failed alert was raised): invoice this job by hand',
    }),
    amountCents: z.number().int().min(0).max(100_000_000),
    link: z.string().max(2048).nullable().openapi({
      description: 'Stripe’s hosted invoice page (the link texted to the lead); null until the invoice is created',
    }),
    openedAt: z.iso.datetime().nullable(),
    paidAt: z.iso.datetime().nullable(),
    remindersSent: z
      .number()
      .int()
      .min(0)
      .max(INVOICE_REMINDER_DAYS.length)
      .openapi({
        description: `Payment reminders texted so far (due ${INVOICE_REMINDER_DAYS.join(' and ')} days after)`,
      }),
  })
  .openapi('LeadInvoice');

export const REVIEW_REQUEST_STATUSES = [
  'due',
  'reminder_due',
  'stopped',
  'reminder_sent',
  'ended',
  'not_sent',
] as const;

export const ZLeadReviewRequestSchema = z
  .object({
    status: z.enum(REVIEW_REQUEST_STATUSES).openapi({
      description:
        'due: the request waits to go out (from dueFrom, in the lead’s texting hours); reminder_due: asked, its one reminder due at reminderDueAt; stopped: asked, and a reply or the business ended it before its reminder (at stoppedAt); reminder_sent: asked and reminded; ended: asked, and the reminder was sent or stopped (a request from before leadflow told these apart); not_sent: nothing went out (stopped while waiting, or no review link)',
    }),
    dueFrom: z.iso.datetime().nullable(),
    askedAt: z.iso.datetime().nullable().openapi({ description: 'When the last review request was texted' }),
    reminderDueAt: z.iso.datetime().nullable(),
    stoppedAt: z.iso.datetime().nullable().openapi({ description: 'When a reply or the business stopped it' }),
    stoppable: z.boolean().openapi({
      description: 'Something is pending that POST /v1/leads/{id}/review-request/stop would stop',
    }),
  })
  .openapi('LeadReviewRequest');

export const invoiceView = (invoice: InvoiceState): z.infer<typeof ZLeadInvoiceSchema> => ({
  appointmentId: invoice.appointmentId,
  status: invoice.status,
  amountCents: invoice.amountCents,
  link: invoice.link ?? null,
  openedAt: invoice.openedAt ?? null,
  paidAt: invoice.paidAt ?? null,
  remindersSent: invoice.remindersSent,
});

/**
 * The review request from the workflow's state. States kept before `stoppedAt` and
 * `reminderSentAt` have only `reminderDone` for both; a reminder cannot go out before its due
 * time, so one done earlier was stopped, and one done later is "ended".
 */
export function reviewRequestView(review: ReviewState, now: Date): z.infer<typeof ZLeadReviewRequestSchema> {
  const askedAt = review.lastRequestedAt;
  const reminderAt = askedAt ? new Date(Date.parse(askedAt) + REVIEW_REMINDER_DAYS * DAY).toISOString() : null;
  const status = review.dueFrom
    ? 'due'
    : !askedAt
      ? 'not_sent'
      : !review.reminderDone
        ? 'reminder_due'
        : review.stoppedAt || now.getTime() < Date.parse(reminderAt!)
          ? 'stopped'
          : review.reminderSentAt
            ? 'reminder_sent'
            : 'ended';
  return {
    status,
    dueFrom: review.dueFrom,
    askedAt,
    reminderDueAt: status === 'reminder_due' ? reminderAt : null,
    stoppedAt: status === 'stopped' ? (review.stoppedAt ?? null) : null,
    stoppable: status === 'due' || status === 'reminder_due',
  };
}
