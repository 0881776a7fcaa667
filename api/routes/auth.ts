import { z } from 'zod';
import { createLocalEmailOutbox } from '../../providers/email/local-outbox';
import type { EmailProvider } from '../../providers/email/email-provider';
import { acceptInvitation } from '../../services/people/invitations';
import { completePasswordReset, requestPasswordReset } from '../../services/people/password-reset';
import { signIn, type SignedIn } from '../../services/people/sign-in';
import { auditSignOut, listOwnSessions, revokeOwnSession, signedInView } from '../../services/people/sessions';
import { enableTotp, setUpTotp } from '../../services/people/totp';
import { actorOf } from '../audit';
import type { AuthContext } from '../auth/authenticate';
import { csrfTokenOf } from '../auth/csrf';
import { endSession, SESSION_COOKIE, startSession } from '../auth/session';
import { sidHash } from '../auth/session-store';
import type { ThrottleOptions } from '../auth/throttle';
import type { ApiDeps } from '../deps';
import { clientAddress } from '../http/client-address';
import { defineRoute } from '../http/route';
import { ZErrorSchema, ZIdParamSchema } from '../http/schemas';
import { linkBase } from './users';
import {
  ZAcceptInvitationBodySchema,
  ZPasswordResetBodySchema,
  ZPasswordResetCompleteBodySchema,
  ZSessionListSchema,
  ZSignedInSchema,
  ZSignInBodySchema,
  ZTotpEnableBodySchema,
  ZTotpSetupSchema,
} from './auth-schemas';

const personOf = (auth: AuthContext, ip: string) => ({ ...actorOf(auth, ip), userId: auth.userId! });

/** People signing in to the app: sign-in, the current session, sign-out, their sessions, TOTP. */
export function authRoutes(
  deps: ApiDeps,
  opts: { addressThrottle?: ThrottleOptions; email?: EmailProvider; emailFrom?: string } = {},
) {
  const { db, now } = deps;
  const email = opts.email ?? createLocalEmailOutbox();
  const signedInAnswer = async (req: Parameters<typeof startSession>[0], signed: SignedIn) => ({
    status: 200,
    body: {
      ...signed,
      csrfToken: await startSession(req, {
        userId: signed.user.id,
        businessId: signed.business.id,
        role: signed.user.role,
      }),
    },
  });
  return [
    defineRoute({
      method: 'post',
      path: '/v1/auth/sign-in',
      tag: 'People',
      summary: 'Sign a person in: sets the leadflow_session cookie',
      description:
        'A wrong email or password gets one answer (401 invalid_credentials). 10 failures in 15 minutes lock the account for 15 minutes (429 account_locked, Retry-After); failures from one address are throttled too; neither ever refuses a valid API key. With two-factor sign-in on, send totpCode (401 totp_required without it).',
      security: 'none',
      body: ZSignInBodySchema,
      responses: {
        200: { description: 'Signed in (Set-Cookie: leadflow_session)', schema: ZSignedInSchema },
        401: { description: 'invalid_credentials or totp_required', schema: ZErrorSchema },
      },
      handler: async ({ body, req }) =>
        signedInAnswer(
          req,
          await signIn(
            { db, now, addressThrottle: opts.addressThrottle, totpBox: deps.totpBox },
            { ...body, address: clientAddress(req) },
          ),
        ),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/invitations/accept',
      tag: 'People',
      summary: 'Accept an invitation: choose a password, and be signed in',
      description: 'The token is the one in the invitation link’s fragment (#token=…); it works once, for 7 days.',
      security: 'none',
      body: ZAcceptInvitationBodySchema,
      responses: { 200: { description: 'The account exists and is signed in', schema: ZSignedInSchema } },
      handler: async ({ body, req }) => {
        const made = await acceptInvitation({ db, now }, { ...body, address: clientAddress(req) });
        const csrfToken = await startSession(req, made);
        return { status: 200, body: { ...(await signedInView(db, made)), csrfToken } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/password-reset',
      tag: 'People',
      summary: 'Email a password reset link',
      description:
        'Always 202, whether or not an account has this email. The link (/app/reset-password, the token in the fragment) works once, for 30 minutes.',
      security: 'none',
      body: ZPasswordResetBodySchema,
      responses: { 202: { description: 'If an account has this email, the link is on its way' } },
      handler: async ({ body, req }) => {
        await requestPasswordReset(
          { db, now, email, from: opts.emailFrom, publicBaseUrl: linkBase(deps, req) },
          { email: body.email, address: clientAddress(req) },
        );
        return { status: 202 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/password-reset/complete',
      tag: 'People',
      summary: 'Set a new password with a reset link’s token',
      description: 'Every session of the account ends; sign in with the new password.',
      security: 'none',
      body: ZPasswordResetCompleteBodySchema,
      responses: { 204: { description: 'The password is changed' } },
      handler: async ({ body, req }) => {
        await completePasswordReset({ db, now }, { ...body, address: clientAddress(req) });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/auth/session',
      tag: 'People',
      summary: 'The signed-in person, their business, and the CSRF token for changes',
      security: 'session',
      responses: { 200: { description: 'Signed in', schema: ZSignedInSchema } },
      handler: async ({ auth, req }) => ({
        status: 200,
        body: {
          ...(await signedInView(db, { businessId: auth.businessId, userId: auth.userId! })),
          csrfToken: csrfTokenOf(req),
        },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/sign-out',
      tag: 'People',
      summary: 'Sign out: ends this session and clears the cookie',
      security: 'session',
      body: z.strictObject({}).optional(),
      responses: { 204: { description: 'Signed out' } },
      handler: async ({ auth, req, res }) => {
        await auditSignOut({ db }, personOf(auth, clientAddress(req)));
        await endSession(req);
        res.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: req.secure });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/auth/sessions',
      tag: 'People',
      summary: 'The signed-in person’s live sessions',
      security: 'session',
      responses: { 200: { description: 'Sessions, newest first', schema: ZSessionListSchema } },
      handler: async ({ auth, req }) => ({
        status: 200,
        body: {
          items: await listOwnSessions(
            { db, now },
            { businessId: auth.businessId, userId: auth.userId!, currentSidHash: sidHash(req.sessionID) },
          ),
        },
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/auth/sessions/:id',
      tag: 'People',
      summary: 'Revoke one of the signed-in person’s sessions: its next request is refused',
      security: 'session',
      params: ZIdParamSchema,
      responses: { 204: { description: 'Revoked' } },
      handler: async ({ params, auth, req }) => {
        await revokeOwnSession({ db }, { actor: personOf(auth, clientAddress(req)), sessionId: params.id });
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/totp/setup',
      tag: 'People',
      summary: 'Start two-factor sign-in: a TOTP secret for an authenticator app',
      security: 'session',
      body: z.strictObject({}).optional(),
      responses: {
        200: { description: 'The secret, also as an otpauth:// URL', schema: ZTotpSetupSchema },
        409: { description: 'Already on, or no ENCRYPTION_KEY on the server to seal the secret', schema: ZErrorSchema },
      },
      handler: async ({ auth, req }) => ({
        status: 200,
        body: await setUpTotp({ db, totpBox: deps.totpBox }, personOf(auth, clientAddress(req))),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/totp/enable',
      tag: 'People',
      summary: 'Turn two-factor sign-in on with a code from the authenticator app',
      security: 'session',
      body: ZTotpEnableBodySchema,
      responses: { 204: { description: 'On: sign-in asks for a code from now on' } },
      handler: async ({ body, auth, req }) => {
        await enableTotp({ db, now, totpBox: deps.totpBox }, personOf(auth, clientAddress(req)), body.code);
        return { status: 204 };
      },
    }),
  ];
}
