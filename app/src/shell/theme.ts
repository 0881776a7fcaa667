/** The theme preference: a cookie (not personal), read by the API when it serves index.html too. */
export type Theme = 'light' | 'dark';

const COOKIE = 'leadflow_theme';

export function storedTheme(): Theme | null {
  const match = /(?:^|;\s*)leadflow_theme=(light|dark)(?:;|$)/.exec(document.cookie);
  return (match?.[1] as Theme | undefined) ?? null;
}

export function currentTheme(): Theme {
  return storedTheme() ?? (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

export function applyTheme(theme: Theme) {
  document.documentElement.dataset.theme = theme;
}

export function saveTheme(theme: Theme) {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${COOKIE}=${theme}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
  applyTheme(theme);
}
