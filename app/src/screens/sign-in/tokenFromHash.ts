import { useEffect, useState } from 'react';

let taken: { path: string; token: string } | null = null;

/**
 * Invitation and reset links carry their token in the fragment: browsers never send it to
 * a server or in a Referer. Read it once, then drop it from the address bar and history
 * (kept in memory, for this screen only, for a second render).
 */
function takeTokenFromHash(): string | null {
  const path = window.location.pathname;
  const token = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('token');
  if (token) {
    taken = { path, token };
    window.history.replaceState(null, '', path + window.location.search);
    return token;
  }
  return taken?.path === path ? taken.token : null;
}

/** The link's token, also when the link is opened on a page that already shows this screen. */
export function useTokenFromHash(): string | null {
  const [token, setToken] = useState(takeTokenFromHash);
  useEffect(() => {
    const onHashChange = () => {
      const next = takeTokenFromHash();
      if (next) setToken(next);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, []);
  return token;
}
