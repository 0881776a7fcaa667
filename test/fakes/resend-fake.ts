import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from './http-fake';

export interface ResendFakeEmail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
  idempotencyKey: string | null;
  createdAt: Date;
}

export interface ResendFailure {
  /** HTTP status, e.g. 422 or 500. */
  status: number;
  /** Resend's error name, e.g. validation_error. */
  name?: string;
  message?: string;
}

export interface ResendFake extends FakeServer {
  /** Every email the fake accepted, in order (an idempotent replay is not a new one). */
  sent: ResendFakeEmail[];
  /** The next `count` sends answer with this error instead of accepting. */
  failNextSends(count: number, failure: ResendFailure): void;
}

export interface ResendFakeOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
}

function resendError(res: ServerResponse, status: number, name: string, message: string) {
  sendJson(res, status, { statusCode: status, name, message });
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

/**
 * A server speaking the slice of Resend's REST API that the adapter uses: POST /emails
 * (with Idempotency-Key: the same key and body answer the first email again, the same key
 * with another body 409 invalid_idempotent_request) and GET /emails/{id}.
 */
export async function startResendFake(options: ResendFakeOptions = {}): Promise<ResendFake> {
  const sent: ResendFakeEmail[] = [];
  const byKey = new Map<string, { body: string; email: ResendFakeEmail }>();
  const failures: ResendFailure[] = [];

  function create(req: RecordedRequest, res: ServerResponse) {
    const failure = failures.shift();
    if (failure)
      return resendError(
        res,
        failure.status,
        failure.name ?? (failure.status >= 500 ? 'internal_server_error' : 'validation_error'),
        failure.message ?? `Resend fake error ${failure.status}`,
      );
    const body = (req.body ?? {}) as Record<string, unknown>;
    const to = list(body.to);
    if (typeof body.from !== 'string' || !body.from) return resendError(res, 422, 'missing_required_field', 'from');
    if (to.length === 0) return resendError(res, 422, 'missing_required_field', 'to');
    if (typeof body.subject !== 'string' || !body.subject)
      return resendError(res, 422, 'missing_required_field', 'subject');
    if (typeof body.text !== 'string' && typeof body.html !== 'string')
      return resendError(res, 422, 'validation_error', 'Missing `html` or `text` field.');

    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    if (key !== null) {
      if (key.length < 1 || key.length > 256)
        return resendError(res, 400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
      const earlier = byKey.get(key);
      if (earlier && earlier.body !== req.rawBody)
        return resendError(
          res,
          409,
          'invalid_idempotent_request',
          'Same idempotency key used with a different request payload.',
        );
      if (earlier) return sendJson(res, 200, { id: earlier.email.id });
    }
    const email: ResendFakeEmail = {
      id: randomUUID(),
      from: body.from,
      to,
      subject: body.subject,
      text: typeof body.text === 'string' ? body.text : null,
      html: typeof body.html === 'string' ? body.html : null,
      headers: (body.headers ?? {}) as Record<string, string>,
      idempotencyKey: key,
      createdAt: new Date(),
    };
    sent.push(email);
    if (key !== null) byKey.set(key, { body: req.rawBody, email });
    sendJson(res, 200, { id: email.id });
  }

  const server = await startFakeServer((req, res) => {
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`)
      return resendError(res, 401, 'missing_api_key', 'Missing API key in the authorization header.');
    if (req.path === '/emails' && req.method === 'POST') return create(req, res);
    const single = /^\/emails\/([^/]+)$/.exec(req.path);
    if (single && req.method === 'GET') {
      const email = sent.find((e) => e.id === single[1]);
      if (!email) return resendError(res, 404, 'not_found', 'Email not found');
      return sendJson(res, 200, {
        object: 'email',
        id: email.id,
        from: email.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        created_at: email.createdAt.toISOString(),
        last_event: 'delivered',
      });
    }
    resendError(res, 405, 'method_not_allowed', 'Method not allowed');
  });

  return {
    ...server,
    sent,
    failNextSends(count, failure) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
  };
}
