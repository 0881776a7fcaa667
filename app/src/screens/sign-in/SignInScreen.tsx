import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { signIn } from '../../api/auth';
import { homeFor } from '../../shell/screens';
import { SESSION_KEY } from '../../shell/session';
import { AuthPage } from './AuthPage';

const MESSAGES: Record<string, string> = {
  invalid_credentials: 'That email and password do not match an account.',
  totp_required: 'Enter the 6-digit code from your authenticator app.',
  account_locked: 'Too many failed attempts: this account is locked for a while. Try again later.',
};

export default function SignInScreen() {
  const [, navigate] = useLocation();
  const search = useSearch();
  const queryClient = useQueryClient();
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const result = await signIn({
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
      ...(needsCode ? { totpCode: String(form.get('totpCode') ?? '') } : {}),
    }).finally(() => setBusy(false));
    if (result.session) {
      queryClient.setQueryData(SESSION_KEY, result.session);
      const next = new URLSearchParams(search).get('next');
      // Only a path inside the app: never an open redirect.
      navigate(next && /^\/[a-z]/.test(next) && !next.startsWith('//') ? next : homeFor(result.session.user.role), {
        replace: true,
      });
      return;
    }
    if (result.code === 'totp_required') setNeedsCode(true);
    setError(MESSAGES[result.code ?? ''] ?? result.message ?? 'Could not sign in. Try again.');
  }

  return (
    <AuthPage title="Sign in">
      <form onSubmit={submit} noValidate={false}>
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        {needsCode && (
          <>
            <label htmlFor="totpCode">Authenticator code</label>
            <input
              id="totpCode"
              name="totpCode"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              required
            />
          </>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <p>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </p>
      </form>
      <p>
        <Link href="/reset-password">Forgot your password?</Link>
      </p>
    </AuthPage>
  );
}
