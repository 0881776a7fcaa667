import { useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { completePasswordReset, requestPasswordReset } from '../../api/auth';
import { AuthPage } from './AuthPage';
import { useTokenFromHash } from './tokenFromHash';

/** Without a token: ask for a link by email. With the link's token: choose a new password. */
export default function ResetPasswordScreen() {
  const token = useTokenFromHash();
  return token ? <ChooseNewPassword token={token} /> : <RequestLink />;
}

function RequestLink() {
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    await requestPasswordReset(String(new FormData(event.currentTarget).get('email') ?? '')).finally(() =>
      setBusy(false),
    );
    setSent(true);
  }
  return (
    <AuthPage title="Reset your password">
      {sent ? (
        <p role="status">If that address has an account, a link to choose a new password is on its way.</p>
      ) : (
        <form onSubmit={submit}>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="username" required />
          <p>
            <button type="submit" disabled={busy}>
              Email me a link
            </button>
          </p>
        </form>
      )}
      <Link href="/sign-in">Back to sign in</Link>
    </AuthPage>
  );
}

function ChooseNewPassword({ token }: { token: string }) {
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
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
    const result = await completePasswordReset({ token, password }).finally(() => setBusy(false));
    if (result.ok) setDone(true);
    else setError(result.message ?? 'This link could not be used: it may have expired or been used.');
  }
  return (
    <AuthPage title="Choose a new password">
      {done ? (
        <p role="status">Your password is changed.</p>
      ) : (
        <form onSubmit={submit}>
          <label htmlFor="password">New password</label>
          <input id="password" name="password" type="password" autoComplete="new-password" required minLength={12} />
          <label htmlFor="confirm">Repeat the new password</label>
          <input id="confirm" name="confirm" type="password" autoComplete="new-password" required minLength={12} />
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <p>
            <button type="submit" disabled={busy}>
              Change password
            </button>
          </p>
        </form>
      )}
      <Link href="/sign-in">Sign in</Link>
    </AuthPage>
  );
}
