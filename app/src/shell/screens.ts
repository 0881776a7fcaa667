/** The signed-in screens and who may open them (the API's route roles decide; this only keeps the nav honest). */
export const SCREENS = [
  { href: '/inbox', label: 'Inbox', roles: ['owner', 'operator'] },
  { href: '/bookings', label: 'Bookings', roles: ['owner', 'operator'] },
  { href: '/dashboard', label: 'Dashboard', roles: ['owner', 'operator'] },
  { href: '/settings', label: 'Settings', roles: ['owner', 'operator'] },
  { href: '/compliance', label: 'Compliance', roles: ['owner', 'compliance'] },
] as const;

export const screensFor = (role: string | undefined) =>
  SCREENS.filter((screen) => (screen.roles as readonly string[]).includes(role ?? ''));

/** Where a person lands after signing in: the first screen their role opens. */
export const homeFor = (role: string | undefined) => screensFor(role)[0]?.href ?? '/inbox';

export const mayOpen = (role: string | undefined, href: string) => screensFor(role).some((s) => s.href === href);
