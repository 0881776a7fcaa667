import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, problemText } from '../../api/client';

const PEOPLE_KEY = ['users'] as const;
const ROLES = ['owner', 'operator', 'compliance'] as const;
type Role = (typeof ROLES)[number];

/** People of the business and their roles; an invitation is emailed with a single-use link. */
export function PeopleTab() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const refresh = () => queryClient.invalidateQueries({ queryKey: PEOPLE_KEY });
  const people = useQuery({
    queryKey: PEOPLE_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/users');
      if (error || !data) throw new Error(problemText(error, 'The people could not be loaded.'));
      return data.items;
    },
  });
  const invite = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST('/v1/invitations', { body: { email, role } });
      if (error || !data) throw new Error(problemText(error, 'The invitation was not sent.'));
      return data;
    },
    onSuccess: () => setEmail(''),
  });
  const change = useMutation({
    mutationFn: async (c: { id: string; role?: Role }) => {
      const path = { params: { path: { id: c.id } } };
      const { error } = c.role
        ? await api.PATCH('/v1/users/{id}', { ...path, body: { role: c.role } })
        : await api.DELETE('/v1/users/{id}', path);
      if (error) throw new Error(problemText(error, 'The change was not saved.'));
    },
    onSettled: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };

  return (
    <>
      <form className="card" onSubmit={submit}>
        <h2>Invite someone</h2>
        <div className="row">
          <div>
            <label htmlFor="invite-email">Email</label>
            <input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
          <div>
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" disabled={invite.isPending}>
            Send invitation
          </button>
        </div>
        {invite.isError && (
          <p role="alert" className="error">
            {invite.error.message}
          </p>
        )}
        {invite.data && <p role="status">Invitation sent to {invite.data.email}.</p>}
      </form>
      <h2>People</h2>
      {(people.isError || change.isError) && (
        <p role="alert" className="error">
          {people.error?.message ?? change.error?.message}
        </p>
      )}
      <ul className="list">
        {people.data?.map((p) => (
          <li key={p.id} className="row appointment">
            <div>
              <strong>{p.name}</strong> <span className="muted">{p.email}</span>
              <br />
              <span className="muted">
                {p.lastSignInAt ? `Last signed in ${new Date(p.lastSignInAt).toLocaleString()}` : 'Never signed in'}
                {p.totpEnabled ? ' · two-factor on' : ''}
              </span>
            </div>
            <div>
              <label htmlFor={`role-${p.id}`}>Role of {p.name}</label>
              <select
                id={`role-${p.id}`}
                value={p.role}
                onChange={(e) => change.mutate({ id: p.id, role: e.target.value as Role })}
              >
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </div>
            <button type="button" className="ghost" onClick={() => change.mutate({ id: p.id })}>
              Remove {p.name}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
