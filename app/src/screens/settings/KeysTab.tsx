import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, problemText } from '../../api/client';
import { TableScroll } from '../../components/ui/TableScroll';

const KEYS_KEY = ['api-keys'] as const;
const ROLES = ['owner', 'operator', 'compliance', 'widget'] as const;

/** API keys: a new key is shown once (kept only in this component's memory), then only its prefix. */
export function KeysTab() {
  const queryClient = useQueryClient();
  const [role, setRole] = useState<(typeof ROLES)[number]>('widget');
  const [label, setLabel] = useState('');
  const keys = useQuery({
    queryKey: KEYS_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/api-keys');
      if (error || !data) throw new Error(problemText(error, 'The keys could not be loaded.'));
      return data.data;
    },
  });
  const create = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/v1/api-keys', { body: { role, label } });
      if (error || !data) throw new Error(problemText(error, 'The key was not created.'));
      return data;
    },
    onSuccess: () => {
      setLabel('');
      return queryClient.invalidateQueries({ queryKey: KEYS_KEY });
    },
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => {
      const { error } = await api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } });
      if (error) throw new Error(problemText(error, 'The key was not revoked.'));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: KEYS_KEY }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };

  return (
    <>
      <form className="card" onSubmit={submit}>
        <h2>Create a key</h2>
        <div className="row">
          <div>
            <label htmlFor="key-role">Role</label>
            <select id="key-role" value={role} onChange={(e) => setRole(e.target.value as typeof role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="key-label">Label</label>
            <input id="key-label" maxLength={100} value={label} onChange={(e) => setLabel(e.target.value)} />
          </div>
          <button type="submit" disabled={create.isPending}>
            Create key
          </button>
        </div>
        {create.isError && (
          <p role="alert" className="error">
            {create.error.message}
          </p>
        )}
        {create.data && (
          <div role="status">
            <p>Copy this key now: it is not shown again.</p>
            <pre className="snippet" aria-label="New API key">
              <code>{create.data.key}</code>
            </pre>
          </div>
        )}
      </form>
      <h2>Keys</h2>
      {revoke.isError && (
        <p role="alert" className="error">
          {revoke.error.message}
        </p>
      )}
      <TableScroll label="API keys">
        <table className="data">
          <caption className="visually-hidden">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Role</th>
              <th scope="col">Label</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {keys.data?.map((k) => (
              <tr key={k.id}>
                <th scope="row">
                  <code>{k.prefix}…</code>
                </th>
                <td>{k.role}</td>
                <td>{k.label || '–'}</td>
                <td>{new Date(k.createdAt).toLocaleDateString()}</td>
                <td>
                  {k.revokedAt ? (
                    `Revoked ${new Date(k.revokedAt).toLocaleDateString()}`
                  ) : (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={`Revoke key ${k.prefix}${k.label ? ` (${k.label})` : ''}`}
                      onClick={() => revoke.mutate(k.id)}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}
