import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import {
  SmsPermanentError,
  type PermanentSmsFailure,
  type SentSms,
  type SmsProvider,
  type SmsStatus,
} from './sms-provider';

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /** Another server speaking Twilio's REST API (tests, benchmarks); unset means api.twilio.com. */
  apiBaseUrl?: string;
  /** Our public URL; delivery reports come back to it carrying the outbox row id. */
  statusCallbackBaseUrl?: string;
  /** The platform's default sender (a Messaging Service SID, MG…), used for businesses without a number. */
  messagingServiceSid?: string;
}

const TWILIO_API = 'https://api.twilio.com';
/** The SDK's own default: a carrier that has not answered by then is retried by the caller. */
const DEFAULT_TIMEOUT_MS = 30_000;

/** Form or query fields as the SDK's own client writes them (qs, arrayFormat "repeat"). */
function encodeFields(fields: object | undefined): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value === undefined || value === null) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.append(key, String(one));
  }
  return out.toString();
}

/**
 * The SDK's HTTP client on Node's fetch (the SDK's documented `httpClient` extension point):
 * the SDK still builds every request, parses every answer and raises its RestException, but
 * without axios underneath, which cost about 1.7 ms of CPU a text here. It also moves every URI
 * the SDK builds, next-page links included, onto the configured base URL (tests, benchmarks).
 */
class FetchRequestClient {
  constructor(private readonly baseUrl: string | undefined) {}

  async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    let uri = opts.uri;
    if (this.baseUrl && uri.startsWith(TWILIO_API)) uri = this.baseUrl + uri.slice(TWILIO_API.length);
    const query = opts.params ? encodeFields(opts.params) : '';
    if (query) uri += (uri.includes('?') ? '&' : '?') + query;
    const headers: Record<string, string> = { ...(opts.headers as Record<string, string>) };
    if (opts.username && opts.password)
      headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    else if (opts.authStrategy) headers.Authorization = await opts.authStrategy.getAuthString();
    const json = headers['Content-Type'] === 'application/json';
    const res = await fetch(uri, {
      method: opts.method.toUpperCase(),
      headers,
      body: opts.data === undefined ? undefined : json ? JSON.stringify(opts.data) : encodeFields(opts.data as object),
      redirect: opts.allowRedirects ? 'follow' : 'manual',
      signal: AbortSignal.timeout(opts.timeout ?? DEFAULT_TIMEOUT_MS),
    });
    return { statusCode: res.status, body: (await res.text()) as TData, headers: Object.fromEntries(res.headers) };
  }
}

const PERMANENT_CODES: Record<number, PermanentSmsFailure> = {
  21211: 'invalid_number',
  21614: 'invalid_number',
  21217: 'invalid_number',
  21401: 'invalid_number',
  21610: 'unsubscribed_recipient',
  21408: 'unroutable',
  21612: 'unroutable',
};

/** Twilio's REST errors (legacy and RFC 9457) carry an HTTP status and usually a Twilio error code. */
function restError(err: unknown): { status: number; code: number | undefined } | null {
  if (!(err instanceof Error)) return null;
  const { status, code } = err as { status?: unknown; code?: unknown };
  if (typeof status !== 'number') return null;
  return { status, code: typeof code === 'number' ? code : undefined };
}

/** Permanent refusals become SmsPermanentError; 429, 5xx and network failures stay as they are so the caller retries. */
function mapSendError(err: unknown): unknown {
  const rest = restError(err);
  if (!rest) return err;
  const known = rest.code === undefined ? undefined : PERMANENT_CODES[rest.code];
  if (known) return new SmsPermanentError(known, rest.code);
  if (rest.status >= 400 && rest.status < 500 && rest.status !== 429)
    return new SmsPermanentError('rejected', rest.code ?? rest.status);
  return err;
}

function toStatus(twilioStatus: string): SmsStatus {
  switch (twilioStatus) {
    case 'sent':
    case 'delivered':
    case 'failed':
    case 'undelivered':
      return twilioStatus;
    case 'read':
      return 'delivered';
    case 'canceled':
      return 'failed';
    // queued, accepted, sending, scheduled: on their way.
    default:
      return 'queued';
  }
}

const toSent = (message: { sid: string; status: string }): SentSms => ({
  providerId: message.sid,
  status: toStatus(message.status),
});

export function createTwilioSmsProvider(options: TwilioSmsOptions): SmsProvider {
  const client = twilio(options.accountSid, options.authToken, {
    httpClient: new FetchRequestClient(options.apiBaseUrl?.replace(/\/+$/, '')) as unknown as RequestClient,
  });
  const callbackBase = options.statusCallbackBaseUrl?.replace(/\/+$/, '');

  return {
    name: 'twilio',
    needsSender: !options.messagingServiceSid,
    async send({ from, to, body, clientRef }) {
      const sender =
        from !== null
          ? { from }
          : options.messagingServiceSid
            ? { messagingServiceSid: options.messagingServiceSid }
            : null;
      if (sender === null) throw new SmsPermanentError('rejected', 'no sender number configured');
      const statusCallback = callbackBase
        ? `${callbackBase}/v1/webhooks/twilio/status?ref=${encodeURIComponent(clientRef)}`
        : undefined;
      try {
        const message = await client.messages.create({
          ...sender,
          to,
          body,
          ...(statusCallback ? { statusCallback } : {}),
        });
        return toSent(message);
      } catch (err) {
        throw mapSendError(err);
      }
    },
    async findSent({ from, to, body, since }) {
      // No DateSent filter: Twilio filters it by whole days, and a message still queued has no
      // date_sent yet, which is exactly the one a retry must not send again. The list is newest
      // first, so the last 20 between the two numbers cover any retry window.
      const notBefore = Math.floor(since.getTime() / 1000) * 1000;
      const messages = await client.messages.list({ ...(from ? { from } : {}), to, limit: 20 });
      const match = messages.find((m) => m.body === body && m.dateCreated.getTime() >= notBefore);
      return match ? toSent(match) : null;
    },
    async deleteMessage(providerId) {
      try {
        await client.messages(providerId).remove();
      } catch (err) {
        // Erasure is idempotent: a message Twilio no longer has is already gone.
        if (restError(err)?.status === 404) return;
        throw err;
      }
    },
  };
}
