import { Link, useParams } from 'wouter';
import { useSession } from '../../shell/session';
import { formatTime, humanise, statusLabel, waitingLabel } from './format';
import { useLead } from './queries';
import { ReplyForm } from './ReplyForm';
import { HandBack } from './HandBack';
import { Consent } from './Consent';
import { JobPanel } from './JobPanel';
import { AfterJobPanel } from './AfterJobPanel';

export default function ConversationScreen() {
  const { leadId = '' } = useParams<{ leadId: string }>();
  const lead = useLead(leadId);
  const timeZone = useSession().data?.business.timeZone;

  if (lead.isPending) return <p role="status">Loading the conversation…</p>;
  if (lead.isError || !lead.data)
    return (
      <>
        <h1>Lead not found</h1>
        <Link href="/inbox">Back to the inbox</Link>
      </>
    );
  const data = lead.data;
  const workflow = data.workflow;
  const handedOff = data.status === 'handed_off' || workflow?.status === 'handed_off';

  return (
    <>
      <p>
        <Link href="/inbox">Back to the inbox</Link>
      </p>
      <h1>{data.name ?? 'Unnamed lead'}</h1>
      {/* First on a phone: the technician marks the job without scrolling past the conversation. */}
      {workflow?.job && (
        <JobPanel
          leadId={data.id}
          job={workflow.job}
          visitStart={workflow.booking?.appointmentId === workflow.job.appointmentId ? workflow.booking.start : null}
          timeZone={timeZone}
        />
      )}
      {workflow && (
        <AfterJobPanel
          leadId={data.id}
          invoice={workflow.invoice}
          review={workflow.reviewRequest}
          timeZone={timeZone}
        />
      )}
      <div className="columns">
        <section aria-labelledby="thread-heading" className="card">
          <h2 id="thread-heading">Conversation</h2>
          {data.message && (
            <p>
              <span className="muted">Their request: </span>
              {data.message}
            </p>
          )}
          <ol className="thread" aria-label="Messages">
            {data.messages.map((m) => (
              <li key={m.id} className={m.direction}>
                <span className="visually-hidden">{m.direction === 'inbound' ? 'They wrote:' : 'We wrote:'}</span>
                {m.body}
                <span className="when">
                  {formatTime(m.createdAt, timeZone)}
                  {m.direction === 'outbound' ? ` · ${m.aiModel ? 'assistant' : humanise(m.kind)} · ${m.status}` : ''}
                </span>
              </li>
            ))}
          </ol>
          {data.messages.length === 0 && <p className="muted">No messages yet.</p>}
          <ReplyForm leadId={data.id} />
        </section>
        <aside aria-label="About this lead" className="card">
          <h2>Lead</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>{statusLabel(data.status)}</dd>
            <dt>Phone</dt>
            <dd>{data.phone ?? '—'}</dd>
            {data.email && (
              <>
                <dt>Email</dt>
                <dd>{data.email}</dd>
              </>
            )}
            <dt>Source</dt>
            <dd>{data.source}</dd>
            <dt>Captured</dt>
            <dd>{formatTime(data.createdAt, timeZone)}</dd>
          </dl>
          <h2>Workflow</h2>
          <p role="status">
            {handedOff
              ? 'Handed off to a person: the assistant stays quiet until you hand it back.'
              : 'The assistant is handling this conversation.'}
          </p>
          {workflow ? (
            <dl className="facts">
              <dt>State</dt>
              <dd>{statusLabel(workflow.status)}</dd>
              <dt>Next action</dt>
              <dd>
                {workflow.nextAction
                  ? `${humanise(workflow.nextAction.kind)}${workflow.nextAction.at ? `, ${formatTime(workflow.nextAction.at, timeZone)}` : ''}`
                  : 'None planned'}
              </dd>
              {workflow.waitingFor && (
                <>
                  <dt>Waits for</dt>
                  <dd>{waitingLabel(workflow.waitingFor)}</dd>
                </>
              )}
              {workflow.booking && (
                <>
                  <dt>Booked</dt>
                  <dd>{formatTime(workflow.booking.start, timeZone)}</dd>
                </>
              )}
            </dl>
          ) : (
            <p className="muted">No workflow state (the lead’s history was deleted).</p>
          )}
          {handedOff && <HandBack leadId={data.id} />}
          <Consent leadId={data.id} timeZone={timeZone} />
        </aside>
      </div>
    </>
  );
}
