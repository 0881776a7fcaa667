import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { acceptInvitation } from '../../api/auth';
import { homeFor } from '../../shell/screens';
import { SESSION_KEY } from '../../shell/session';
import { AuthPage } from './AuthPage';
import { useTokenFromHash } from './tokenFromHash';

export default function AcceptInvitationScreen() {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const token = useTokenFromHash();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!token)
    return (
      <AuthPage title="Accept your invitation">
        <p role="alert" className="error">
          This link is incomplete. Open the link from your invitation email again.
        </p>
        <Link href="/sign-in">Sign in</Link>
      </AuthPage>
    );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get('password') ?? '');
    if (password !== String(form.get('confirm') ?? '')) {
      setError('The two passwords differ.');
      return;
    }
    setBusy(true);
    setError(null);
    const result = await acceptInvitation({
      token: token!,
      name: String(form.get('name') ?? ''),
      password,
    }).finally(() => setBusy(false));
    if (result.session) {
      queryClient.setQueryData(SESSION_KEY, result.session);
      navigate(homeFor(result.session.user.role), { replace: true });
      return;
    }
    setError(result.message ?? 'This invitation could not be accepted: it may have expired or been used.');
  }

  return (
    <AuthPage title="Accept your invitation">
      <p>Choose your name and a password to join.</p>
      <form onSubmit={submit}>
        <label htmlFor="name">Your name</label>
        <input id="name" name="name" autoComplete="name" required maxLength={200} />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="new-password" required minLength={12} />
        <label htmlFor="confirm">Repeat the password</label>
        <input id="confirm" name="confirm" type="password" autoComplete="new-password" required minLength={12} />
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p>
          <button type="submit" disabled={busy}>
            Set password and sign in
          </button>
        </p>
      </form>
    </AuthPage>
  );
}
