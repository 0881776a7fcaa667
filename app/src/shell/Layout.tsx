import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { signOut } from '../api/auth';
import { useLiveEvents } from '../api/events';
import { ThemeToggle } from './ThemeToggle';
import { screensFor } from './screens';
import { useSession } from './session';

export function Layout({ children }: { children: ReactNode }) {
  const [location, navigate] = useLocation();
  const queryClient = useQueryClient();
  const session = useSession();
  useLiveEvents();
  return (
    <div className="layout">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">{session.data?.business.name ?? 'leadflow'}</span>
        <nav aria-label="Main">
          <ul>
            {screensFor(session.data?.user.role).map((item) => {
              const current = location === item.href || location.startsWith(`${item.href}/`);
              return (
                <li key={item.href}>
                  <Link href={item.href} aria-current={current ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="account">
          <ThemeToggle />
          <button
            type="button"
            className="ghost"
            onClick={async () => {
              await signOut();
              // Nothing of this session stays behind in memory either.
              queryClient.clear();
              navigate('/sign-in', { replace: true });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
