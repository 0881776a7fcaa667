import { useState, type FormEvent } from 'react';
import { SaveStatus } from './SaveStatus';
import { useSaveBusiness, type Business } from './settings-api';

/** After the job: the Stripe account finished jobs are invoiced on, and the link review requests carry. */
export function InvoicesTab({ business }: { business: Business }) {
  const save = useSaveBusiness();
  const [reviewUrl, setReviewUrl] = useState(business.reviewUrl ?? '');
  const [account, setAccount] = useState(business.stripeConnectAccountId ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      // null turns review requests off / invoices on leadflow's account; the generated type drops the nullable.
      reviewUrl: (reviewUrl.trim() === '' ? null : reviewUrl.trim()) as string,
      stripeConnectAccountId: (account.trim() === '' ? null : account.trim()) as string,
    });
  };
  return (
    <form onSubmit={submit}>
      <fieldset>
        <legend>Review requests</legend>
        <p className="muted">
          After a paid invoice (or a finished job with nothing to invoice) the customer gets one text with this link and
          one reminder 3 days later; a reply or STOP ends them. Empty: no review requests.
        </p>
        <label htmlFor="review-url">Review link (https)</label>
        <input
          id="review-url"
          type="url"
          inputMode="url"
          maxLength={500}
          placeholder="https://g.page/r/…/review"
          value={reviewUrl}
          onChange={(e) => setReviewUrl(e.target.value)}
        />
      </fieldset>
      <fieldset>
        <legend>Invoices</legend>
        <p className="muted">
          Finishing a job with an amount sends the customer a Stripe invoice, with reminders 3 and 7 days later while it
          is unpaid. Empty: invoices go through leadflow’s own Stripe account (development only).
        </p>
        <label htmlFor="stripe-account">Your Stripe account id (Connect, acct_…)</label>
        <input
          id="stripe-account"
          maxLength={70}
          autoComplete="off"
          spellCheck={false}
          value={account}
          onChange={(e) => setAccount(e.target.value)}
        />
      </fieldset>
      <button type="submit" disabled={save.isPending}>
        Save invoices and reviews
      </button>
      <SaveStatus mutation={save} />
    </form>
  );
}
