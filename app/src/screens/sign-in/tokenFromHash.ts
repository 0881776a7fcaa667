let taken: string | null = null;

/**
 * Invitation and reset links carry their token in the fragment: browsers never send it to
 * a server or in a Referer. Read it once, then drop it from the address bar and history
 * (kept in memory for a second render).
 */
export function takeTokenFromHash(): string | null {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token) {
    taken = token;
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return token ?? taken;
}
