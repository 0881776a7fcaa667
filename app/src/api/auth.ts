import { api } from './client';
import { setCsrfToken } from './csrf';
import type { components } from './schema';

/** The sign-in, invitation and session answers: who is signed in, and the session's CSRF token. */
export type SessionAnswer = components['schemas']['SignedIn'];

export interface AuthResult {
  session: SessionAnswer | null;
  /** The API's error code (invalid_credentials, totp_required, account_locked, …) when refused. */
  code?: string;
  message?: string;
  retryAfter?: string | null;
}

async function settle(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<AuthResult> {
  const { data, error, response } = await call;
  if (data && typeof data === 'object' && 'csrfToken' in data) {
    const session = data as SessionAnswer;
    setCsrfToken(session.csrfToken);
    return { session };
  }
  const problem = (error ?? {}) as { error?: { code?: string; message?: string } };
  return {
    session: null,
    code: problem.error?.code,
    message: problem.error?.message,
    retryAfter: response.headers.get('Retry-After'),
  };
}

/** GET /v1/auth/session: the signed-in person (and a fresh CSRF token), or null. */
export async function fetchSession(): Promise<SessionAnswer | null> {
  const result = await settle(api.GET('/v1/auth/session'));
  if (!result.session) setCsrfToken(null);
  return result.session;
}

export function signIn(body: { email: string; password: string; totpCode?: string }) {
  return settle(api.POST('/v1/auth/sign-in', { body }));
}

export function acceptInvitation(body: { token: string; password: string; name: string }) {
  return settle(api.POST('/v1/auth/invitations/accept', { body }));
}

export async function signOut() {
  await api.POST('/v1/auth/sign-out');
  setCsrfToken(null);
}

export async function requestPasswordReset(email: string) {
  const { response } = await api.POST('/v1/auth/password-reset', { body: { email } });
  return response.status;
}

export async function completePasswordReset(body: { token: string; password: string }) {
  const { response, error } = await api.POST('/v1/auth/password-reset/complete', { body });
  return { ok: response.ok, message: (error as { error?: { message?: string } } | undefined)?.error?.message };
}
