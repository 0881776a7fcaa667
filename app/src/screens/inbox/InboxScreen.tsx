import { useDeferredValue, useState } from 'react';
import { Link } from 'wouter';
import { useSession } from '../../shell/session';
import { AlertsPanel } from './AlertsPanel';
import { formatTime, LEAD_STATUSES, statusLabel, waitingLabel } from './format';
import { useLeads } from './queries';

export default function InboxScreen() {
  const [q, setQ] = useState('');
  const [status, setStatus] = useState('');
  // Typing stays responsive; the list follows a moment later.
  const query = useDeferredValue(q);
  const leads = useLeads({ q: query, status });
  const timeZone = useSession().data?.business.timeZone;
  const items = leads.data?.pages.flatMap((page) => page.data) ?? [];

  return (
    <>
      <h1>Inbox</h1>
      <AlertsPanel />
      <form className="row" role="search" aria-label="Leads" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor="lead-search">Search by name or phone</label>
          <input id="lead-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} maxLength={100} />
        </div>
        <div>
          <label htmlFor="lead-status">Status</label>
          <select id="lead-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">Any status</option>
            {LEAD_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <section aria-labelledby="leads-heading">
        <h2 id="leads-heading">Leads</h2>
        {leads.isError && (
          <p role="alert" className="error">
            The leads could not be loaded.
          </p>
        )}
        {leads.isSuccess && items.length === 0 && <p className="muted">No leads match.</p>}
        <ul className="list" aria-label="Leads, newest activity first" aria-busy={leads.isFetching}>
          {items.map((lead) => (
            <li key={lead.id}>
              <Link href={`/inbox/${lead.id}`} className="lead-link">
                <strong>{lead.name ?? 'Unnamed lead'}</strong>
                <span className="meta">{formatTime(lead.lastActivityAt, timeZone)}</span>
                <span className="meta">
                  <span className="badge">{statusLabel(lead.status)}</span> · from {lead.source}
                  {lead.waitingFor ? ` · waits for ${waitingLabel(lead.waitingFor)}` : ''}
                </span>
                <span className="last">
                  {lead.lastMessage
                    ? `${lead.lastMessage.direction === 'inbound' ? 'They wrote' : 'We wrote'}: ${lead.lastMessage.body}`
                    : 'No messages yet'}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        {leads.hasNextPage && (
          <p>
            <button
              type="button"
              className="ghost"
              disabled={leads.isFetchingNextPage}
              onClick={() => void leads.fetchNextPage()}
            >
              Show older leads
            </button>
          </p>
        )}
      </section>
    </>
  );
}
