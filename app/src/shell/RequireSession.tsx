import type { ReactNode } from 'react';
import { Redirect } from 'wouter';
import { homeFor, mayOpen } from './screens';
import { useSession } from './session';

/**
 * Screens behind sign-in: without a session, to /app/sign-in (and back here afterwards);
 * a screen the person's role does not open, to the first one it does.
 */
export function RequireSession({ children, screen }: { children: ReactNode; screen?: string }) {
  const session = useSession();
  if (session.isPending) return <p role="status">Checking your session…</p>;
  if (!session.data) {
    const next = window.location.pathname.replace(/^\/app/, '') || '/';
    return <Redirect to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  const role = session.data.user.role;
  if (screen && !mayOpen(role, screen)) return <Redirect to={homeFor(role)} replace />;
  return <>{children}</>;
}
