/**
 * The session's CSRF token, from the sign-in and session answers. Kept in this module's
 * memory only (never in browser storage): a reload asks GET /v1/auth/session for a fresh one.
 */
let token: string | null = null;

export const csrfToken = () => token;

export function setCsrfToken(next: string | null) {
  token = next;
}
