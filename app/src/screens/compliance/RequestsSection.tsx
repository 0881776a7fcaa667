import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, problemText } from '../../api/client';
import { countdown } from './countdown';
import { TableScroll } from '../../components/ui/TableScroll';

const TYPES = ['access', 'export', 'correction', 'deletion', 'restriction', 'objection', 'marketing_opt_out'] as const;
const METHODS = [
  ['code_to_phone', 'Code by text to the number on file'],
  ['code_to_email', 'Code by email to the address on file'],
  ['business_confirmation', 'Confirmed by the business'],
] as const;

const REQUESTS_KEY = ['privacy-requests', 'open'] as const;

function useMinuteClock() {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function OpenRequestForm() {
  const queryClient = useQueryClient();
  const [type, setType] = useState<(typeof TYPES)[number]>('deletion');
  const [leadId, setLeadId] = useState('');
  const [method, setMethod] = useState<(typeof METHODS)[number][0]>('code_to_phone');
  const open = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/v1/privacy/requests', {
        body: { type, leadId: leadId.trim(), verification: { method } },
      });
      if (error || !data) throw new Error(problemText(error, 'The request was not opened.'));
      return data;
    },
    onSuccess: () => {
      setLeadId('');
      return queryClient.invalidateQueries({ queryKey: REQUESTS_KEY });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate();
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="open-request-title">
      <h3 id="open-request-title">Open a request</h3>
      <div className="row">
        <div>
          <label htmlFor="request-type">Request type</label>
          <select id="request-type" value={type} onChange={(e) => setType(e.target.value as typeof type)}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="request-lead">Lead id</label>
          <input id="request-lead" required value={leadId} onChange={(e) => setLeadId(e.target.value)} />
        </div>
        <div>
          <label htmlFor="request-method">Verification</label>
          <select id="request-method" value={method} onChange={(e) => setMethod(e.target.value as typeof method)}>
            {METHODS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={open.isPending}>
          Open request
        </button>
      </div>
      {open.isError && (
        <p role="alert" className="error">
          {open.error.message}
        </p>
      )}
      {open.isSuccess && (
        <p role="status">Request opened; it is due {new Date(open.data.dueAt).toLocaleDateString()}.</p>
      )}
    </form>
  );
}

/** Open data-subject requests, soonest due first, each with the time left before its legal due date. */
export function RequestsSection() {
  const now = useMinuteClock();
  const requests = useQuery({
    queryKey: REQUESTS_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/privacy/requests', {
        params: { query: { open: 'true', limit: 100 } },
      });
      if (error || !data) throw new Error(problemText(error, 'The requests could not be loaded.'));
      return data.data;
    },
  });
  return (
    <section aria-labelledby="requests-title">
      <h2 id="requests-title">Open data-subject requests</h2>
      <OpenRequestForm />
      {requests.isError && (
        <p role="alert" className="error">
          {requests.error.message}
        </p>
      )}
      {requests.data && requests.data.length === 0 && <p className="muted">No open requests.</p>}
      {requests.data && requests.data.length > 0 && (
        <TableScroll label="Open requests">
          <table className="data">
            <caption>Soonest due first</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Due</th>
                <th scope="col">Time left</th>
                <th scope="col">Lead</th>
              </tr>
            </thead>
            <tbody>
              {requests.data.map((r) => {
                const left = countdown(r.dueAt, now);
                return (
                  <tr key={r.id}>
                    <th scope="row">{r.type.replace(/_/g, ' ')}</th>
                    <td>{r.status.replace(/_/g, ' ')}</td>
                    <td>{new Date(r.dueAt).toLocaleString()}</td>
                    <td className={left.overdue ? 'countdown overdue' : 'countdown'}>{left.text}</td>
                    <td>
                      <code>{r.leadId?.slice(0, 8) ?? '–'}</code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
