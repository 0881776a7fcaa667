import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, problemText } from '../../api/client';

const ENDPOINTS_KEY = ['webhook-endpoints'] as const;
const EVENTS = [
  'lead.captured',
  'lead.replied',
  'lead.handoff_requested',
  'lead.booked',
  'lead.rescheduled',
  'lead.cancelled',
  'lead.opted_out',
  'job.updated',
  'invoice.paid',
  'appointment.unassigned',
  'privacy_request.due_soon',
] as const;
type EventType = (typeof EVENTS)[number];

/** Webhook endpoints: the signing secret is shown once, on creation. */
export function WebhooksTab() {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<EventType[]>(['lead.captured', 'lead.booked']);
  const endpoints = useQuery({
    queryKey: ENDPOINTS_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/webhook-endpoints');
      if (error || !data) throw new Error(problemText(error, 'The endpoints could not be loaded.'));
      return data.data;
    },
  });
  const create = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/v1/webhook-endpoints', { body: { url, events } });
      if (error || !data) throw new Error(problemText(error, 'The endpoint was not added.'));
      return data;
    },
    onSuccess: () => {
      setUrl('');
      return queryClient.invalidateQueries({ queryKey: ENDPOINTS_KEY });
    },
  });
  const remove = useMutation({
    mutationFn: async (id: string) => {
      const { error } = await api.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id } } });
      if (error) throw new Error(problemText(error, 'The endpoint was not removed.'));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ENDPOINTS_KEY }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <>
      <form className="card" onSubmit={submit}>
        <h2>Add an endpoint</h2>
        <label htmlFor="endpoint-url">Endpoint URL (https)</label>
        <input id="endpoint-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} />
        <fieldset>
          <legend>Events</legend>
          {EVENTS.map((ev) => (
            <label key={ev} className="inline">
              <input
                type="checkbox"
                checked={events.includes(ev)}
                onChange={(e) => setEvents((list) => (e.target.checked ? [...list, ev] : list.filter((x) => x !== ev)))}
              />
              {ev}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={create.isPending || events.length === 0}>
          Add endpoint
        </button>
        {create.isError && (
          <p role="alert" className="error">
            {create.error.message}
          </p>
        )}
        {create.data && (
          <div role="status">
            <p>Signing secret (shown once):</p>
            <pre className="snippet" aria-label="Signing secret">
              <code>{create.data.secret}</code>
            </pre>
          </div>
        )}
      </form>
      <h2>Endpoints</h2>
      {endpoints.data?.length === 0 && <p className="muted">No endpoints yet.</p>}
      <ul className="list">
        {endpoints.data?.map((ep) => (
          <li key={ep.id} className="appointment">
            <code>{ep.url}</code> <span className="badge">{ep.status}</span>
            <br />
            <span className="muted">{ep.events.join(', ')}</span>
            {ep.failingSince && (
              <span className="error"> · failing since {new Date(ep.failingSince).toLocaleString()}</span>
            )}
            <div className="actions">
              <button
                type="button"
                className="ghost"
                aria-label={`Remove endpoint ${ep.url}`}
                onClick={() => remove.mutate(ep.id)}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
