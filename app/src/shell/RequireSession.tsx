import type { ReactNode } from 'react';
import { Redirect } from 'wouter';
import { useSession } from './session';

/** Screens behind sign-in: without a session, to /app/sign-in (and back here afterwards). */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  if (session.isPending) return <p role="status">Checking your session…</p>;
  if (!session.data) {
    const next = window.location.pathname.replace(/^\/app/, '') || '/inbox';
    return <Redirect to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}
