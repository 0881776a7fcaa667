import { useId, useState, type FormEvent } from 'react';
import { useSession } from '../../shell/session';
import { formatTime } from './format';
import { dollarsToCents, JOB_LABELS, money, NEXT_STEPS, useUpdateJob, type Job } from './job-api';
import './job.css';

/**
 * The booked visit as a job, with a button for each step it may take next. Made for a technician's
 * phone between jobs: one column, large buttons, each step's outcome announced.
 */
export function JobPanel(props: { leadId: string; job: Job; visitStart: string | null; timeZone?: string }) {
  const { leadId, job, visitStart, timeZone } = props;
  const headingId = useId();
  const update = useUpdateJob(leadId);
  const steps = NEXT_STEPS[job.status];
  const signedInName = useSession().data?.user.name ?? '';
  // The assigned technician when the booking has one, else the person signed in.
  const firstName = (job.technicianName ?? signedInName).trim().split(/\s+/)[0] ?? '';

  return (
    <section className="card job" aria-labelledby={headingId}>
      <h2 id={headingId}>Job</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <span className={`badge job-${job.status}`}>{JOB_LABELS[job.status]}</span>
        </dd>
        {visitStart && (
          <>
            <dt>Visit</dt>
            <dd>{formatTime(visitStart, timeZone)}</dd>
          </>
        )}
        {job.technicianName && (
          <>
            <dt>Technician</dt>
            <dd>{job.technicianName}</dd>
          </>
        )}
        {job.status === 'en_route' && job.etaMinutes !== null && (
          <>
            <dt>ETA</dt>
            <dd>{job.etaMinutes} minutes</dd>
          </>
        )}
        {job.amountCents !== null && (
          <>
            <dt>Amount</dt>
            <dd>{money(job.amountCents)}</dd>
          </>
        )}
      </dl>
      {steps.includes('en_route') && <OnMyWay update={update} defaultName={firstName} />}
      {steps.includes('in_progress') && (
        <button
          type="button"
          className="job-step"
          disabled={update.isPending}
          onClick={() => update.mutate({ status: 'in_progress' })}
        >
          Start the job
        </button>
      )}
      {steps.includes('finished') && <Finish update={update} />}
      {update.isError ? (
        <p role="alert" className="error">
          {update.error.message}
        </p>
      ) : (
        <p role="status" className="ok">
          {update.isSuccess ? `Marked ${JOB_LABELS[update.data.status].toLowerCase()}.` : ''}
        </p>
      )}
    </section>
  );
}

type Update = ReturnType<typeof useUpdateJob>;

/** "On my way": texts the customer the technician's first name and the ETA. */
function OnMyWay({ update, defaultName }: { update: Update; defaultName: string }) {
  const [name, setName] = useState(defaultName);
  const [eta, setEta] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const etaMinutes = eta.trim() === '' ? undefined : Number(eta);
    update.mutate({
      status: 'en_route',
      ...(name.trim() ? { technicianName: name.trim() } : {}),
      ...(etaMinutes !== undefined ? { etaMinutes } : {}),
    });
  };
  return (
    <form onSubmit={submit} className="job-form">
      <div className="row">
        <div>
          <label htmlFor="job-technician">Technician’s first name</label>
          <input
            id="job-technician"
            maxLength={60}
            autoComplete="given-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="job-eta">Arriving in (minutes)</label>
          <input
            id="job-eta"
            type="number"
            inputMode="numeric"
            min={1}
            max={600}
            step={1}
            value={eta}
            onChange={(e) => setEta(e.target.value)}
          />
        </div>
      </div>
      <button type="submit" className="job-step" disabled={update.isPending}>
        On my way
      </button>
      <p className="muted">Texts the customer that you are on the way, with your first name and the time.</p>
    </form>
  );
}

/** Finished: an amount (dollars) is optional; the customer is texted a thank-you. */
function Finish({ update }: { update: Update }) {
  const [amount, setAmount] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const amountCents = dollarsToCents(amount);
    if (amountCents === undefined) {
      setProblem('Amount: write it in dollars, such as 120 or 120.50, or leave it empty.');
      return;
    }
    setProblem(null);
    update.mutate({ status: 'finished', ...(amountCents !== null ? { amountCents } : {}) });
  };
  return (
    <form onSubmit={submit} className="job-form" noValidate>
      <label htmlFor="job-amount">Amount in dollars (optional)</label>
      <input
        id="job-amount"
        inputMode="decimal"
        placeholder="120.00"
        value={amount}
        aria-invalid={problem !== null}
        aria-describedby={problem ? 'job-amount-problem' : undefined}
        onChange={(e) => setAmount(e.target.value)}
      />
      {problem && (
        <p id="job-amount-problem" role="alert" className="error">
          {problem}
        </p>
      )}
      <button type="submit" className="job-step" disabled={update.isPending}>
        Finish the job
      </button>
    </form>
  );
}
