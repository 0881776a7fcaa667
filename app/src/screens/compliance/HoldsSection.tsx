import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, problemText } from '../../api/client';

const HOLDS_KEY = ['legal-holds'] as const;

function useHoldChange() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (change: { leadId: string; reason?: string }) => {
      const path = { params: { path: { id: change.leadId } } };
      const answer =
        change.reason !== undefined
          ? await api.PUT('/v1/leads/{id}/legal-hold', { ...path, body: { reason: change.reason } })
          : await api.DELETE('/v1/leads/{id}/legal-hold', path);
      if (answer.error || !answer.data) throw new Error(problemText(answer.error, 'The hold was not changed.'));
      return answer.data;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: HOLDS_KEY }),
  });
}

/** Legal holds: the tenant-wide one, and each lead whose deletion is paused, with who placed it and why. */
export function HoldsSection() {
  const tenant = useQuery({
    queryKey: [...HOLDS_KEY, 'business'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/business/legal-hold');
      if (error || !data) throw new Error(problemText(error, 'The business hold could not be loaded.'));
      return data;
    },
  });
  const leads = useQuery({
    queryKey: [...HOLDS_KEY, 'leads'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/compliance/legal-holds');
      if (error || !data) throw new Error(problemText(error, 'The holds could not be loaded.'));
      return data.data;
    },
  });
  const change = useHoldChange();
  const [leadId, setLeadId] = useState('');
  const [reason, setReason] = useState('');
  const place = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ leadId: leadId.trim(), reason }, { onSuccess: () => (setLeadId(''), setReason('')) });
  };

  return (
    <section aria-labelledby="holds-title">
      <h2 id="holds-title">Legal holds</h2>
      {tenant.data && (
        <p>
          {tenant.data.held
            ? `The whole business is on hold since ${new Date(tenant.data.placedAt!).toLocaleDateString()}: ${tenant.data.reason ?? ''}`
            : 'No hold on the whole business.'}
        </p>
      )}
      <form className="card" onSubmit={place} aria-labelledby="place-hold-title">
        <h3 id="place-hold-title">Place a hold on a lead</h3>
        <div className="row">
          <div>
            <label htmlFor="hold-lead">Lead id</label>
            <input id="hold-lead" required value={leadId} onChange={(e) => setLeadId(e.target.value)} />
          </div>
          <div>
            <label htmlFor="hold-reason">Reason</label>
            <input id="hold-reason" required minLength={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" disabled={change.isPending}>
            Place hold
          </button>
        </div>
        {change.isError && (
          <p role="alert" className="error">
            {change.error.message}
          </p>
        )}
      </form>
      {leads.isError && (
        <p role="alert" className="error">
          {leads.error.message}
        </p>
      )}
      {leads.data && leads.data.length === 0 && <p className="muted">No lead is on hold.</p>}
      {leads.data && leads.data.length > 0 && (
        <ul className="list">
          {leads.data.map((h) => (
            <li key={h.leadId} className="appointment">
              <code>{h.leadId}</code> — {h.reason ?? 'no reason given'}{' '}
              <span className="muted">
                (placed {new Date(h.placedAt).toLocaleDateString()}
                {h.placedBy ? ` by ${h.placedBy}` : ''})
              </span>
              <div className="actions">
                <button
                  type="button"
                  className="ghost"
                  aria-label={`Release the hold on lead ${h.leadId}`}
                  onClick={() => change.mutate({ leadId: h.leadId })}
                >
                  Release
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
