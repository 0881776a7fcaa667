import type { ReactNode } from 'react';
import { ThemeToggle } from '../../shell/ThemeToggle';

/** The frame of the screens before sign-in. */
export function AuthPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="narrow">
      <div className="row">
        <p className="brand">leadflow</p>
        <div style={{ flex: '0 0 auto' }}>
          <ThemeToggle />
        </div>
      </div>
      <div className="card">
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
