import { useId } from 'react';
import { ConfirmDialog } from '../../components/ui/ConfirmDialog';
import { formatTime } from './format';
import { INVOICE_LABELS, useStopReviewRequest, type Invoice, type ReviewRequest } from './after-job-api';
import { money } from './job-api';

/**
 * After the job: its invoice (from creation to payment) and the review request with its
 * reminder. Its own region beside the job's, so the job's steps stay the only buttons there.
 */
export function AfterJobPanel(props: {
  leadId: string;
  invoice: Invoice | null;
  review: ReviewRequest | null;
  timeZone?: string;
}) {
  const { leadId, invoice, review, timeZone } = props;
  const headingId = useId();
  if (!invoice && !review) return null;
  return (
    <section className="card job" aria-labelledby={headingId}>
      <h2 id={headingId}>Invoice and review</h2>
      {invoice && <InvoiceFacts invoice={invoice} timeZone={timeZone} />}
      {review && <ReviewFacts leadId={leadId} review={review} timeZone={timeZone} />}
    </section>
  );
}

function InvoiceFacts({ invoice, timeZone }: { invoice: Invoice; timeZone?: string }) {
  return (
    <div role="group" aria-label="Invoice">
      <dl className="facts">
        <dt>Invoice</dt>
        <dd>
          <span className={`badge invoice-${invoice.status}`}>{INVOICE_LABELS[invoice.status]}</span>
        </dd>
        <dt>Amount</dt>
        <dd>{money(invoice.amountCents)}</dd>
        {invoice.link && (
          <>
            <dt>Link</dt>
            <dd>
              <a href={invoice.link} target="_blank" rel="noopener noreferrer">
                Open the invoice (new tab)
              </a>
            </dd>
          </>
        )}
        {invoice.paidAt && (
          <>
            <dt>Paid</dt>
            <dd>{formatTime(invoice.paidAt, timeZone)}</dd>
          </>
        )}
        {(invoice.status === 'open' || invoice.status === 'paid') && (
          <>
            <dt>Reminders sent</dt>
            <dd>{invoice.remindersSent}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

function reviewLabel(review: ReviewRequest, timeZone?: string): string {
  const asked = review.askedAt ? `Asked ${formatTime(review.askedAt, timeZone)}` : '';
  switch (review.status) {
    case 'due':
      return review.dueFrom && Date.parse(review.dueFrom) > Date.now()
        ? `Waiting to be sent, from ${formatTime(review.dueFrom, timeZone)}`
        : 'Waiting to be sent';
    case 'reminder_due':
      return `${asked}; reminder due ${review.reminderDueAt ? formatTime(review.reminderDueAt, timeZone) : 'soon'}`;
    case 'stopped':
      return `${asked}; stopped${review.stoppedAt ? ` ${formatTime(review.stoppedAt, timeZone)}` : ''}, no reminder`;
    case 'reminder_sent':
      return `${asked}; reminder sent`;
    case 'ended':
      return `${asked}; reminder sent or stopped`;
    case 'not_sent':
      return 'Not sent (stopped, or no review link was set)';
  }
}

function ReviewFacts({ leadId, review, timeZone }: { leadId: string; review: ReviewRequest; timeZone?: string }) {
  const stop = useStopReviewRequest(leadId);
  return (
    <>
      <div role="group" aria-label="Review request">
        <dl className="facts">
          <dt>Review request</dt>
          <dd>{reviewLabel(review, timeZone)}</dd>
        </dl>
      </div>
      {review.stoppable && (
        <ConfirmDialog
          trigger="Stop review request"
          title="Stop the review request?"
          description={
            review.status === 'due'
              ? 'The review text waiting to go out is not sent.'
              : 'The reminder of the review text already sent is not sent.'
          }
          confirm="Stop it"
          keep="Keep it"
          mutation={stop}
          onConfirm={(close) => stop.mutate(undefined, { onSuccess: close })}
        />
      )}
      <p role="status" className="ok">
        {stop.isSuccess ? 'Review request stopped.' : ''}
      </p>
    </>
  );
}
