import { Resend } from 'resend';
import { EmailPermanentError, EmailTransientError, type EmailProvider } from './email-provider';

export interface ResendEmailOptions {
  apiKey: string;
  /** The sender when a send names none, e.g. "Leadflow <alerts@mail.example.com>" (a domain verified at Resend). */
  defaultFrom: string;
  /** Another server speaking Resend's REST API (tests); unset means api.resend.com. */
  baseUrl?: string;
  /** Per request; the SDK itself waits forever. */
  timeoutMs?: number;
}

/** The SDK answers errors as values: { statusCode, name }, statusCode null when no answer came. */
interface ResendError {
  statusCode: number | null;
  name: string;
}

/**
 * Resend's 4xx are the request's fault and repeat forever, except a rate or quota limit
 * (429) and a retry racing its own first attempt (409 concurrent_idempotent_requests).
 * 5xx and no answer at all are worth retrying with the same idempotency key.
 */
export function classifyResendError(error: ResendError): EmailPermanentError | EmailTransientError {
  const { statusCode: status, name } = error;
  const transient =
    status === null ||
    status >= 500 ||
    status === 429 ||
    (status === 409 && name === 'concurrent_idempotent_requests') ||
    status < 400;
  return transient ? new EmailTransientError(name, status) : new EmailPermanentError(name, status);
}

export function createResendEmailProvider(options: ResendEmailOptions): EmailProvider {
  const client = new Resend(options.apiKey, {
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
  });
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    name: 'resend',
    async send({ from, to, subject, text, html, headers, idempotencyKey }) {
      const { data, error } = await client.emails.send(
        {
          from: from ?? options.defaultFrom,
          to,
          subject,
          text,
          ...(html ? { html } : {}),
          ...(headers && Object.keys(headers).length > 0 ? { headers } : {}),
        },
        { idempotencyKey, signal: AbortSignal.timeout(timeoutMs) },
      );
      if (error) throw classifyResendError(error);
      if (!data?.id) throw new EmailTransientError('no_email_id', null);
      return { providerId: data.id };
    },
  };
}
