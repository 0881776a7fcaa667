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
const SEND_TIMEOUT_MS = 30_000;

/** A refusal from Twilio's REST API, shaped as the SDK's RestException is (HTTP status, Twilio error code). */
class TwilioRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TwilioRestError';
  }
}

/** Rewrites every URI the SDK builds, next-page links included, onto the configured base URL. */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = opts.uri.startsWith(TWILIO_API) ? this.baseUrl + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return super.request<TData>({ ...opts, uri });
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
  if (!(err instanceof Error) || 'isAxiosError' in err) return null;
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
  const base = options.apiBaseUrl?.replace(/\/+$/, '');
  // The SDK (axios underneath) only for the rare calls: a retry's look for a lost send, an erasure.
  let sdk: ReturnType<typeof twilio> | undefined;
  const client = () =>
    (sdk ??= twilio(options.accountSid, options.authToken, {
      ...(base ? { httpClient: new BaseUrlRequestClient(base) } : {}),
    }));
  const callbackBase = options.statusCallbackBaseUrl?.replace(/\/+$/, '');
  const messagesUrl = `${base ?? TWILIO_API}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;

  /**
   * Every text goes through this: one form POST to the Messages API on Node's own HTTP
   * client, as the SDK would send it, without the SDK's per-call work (about 1.7 ms of CPU
   * a text through axios here). Errors keep the SDK's shape for mapSendError.
   */
  async function createMessage(form: Record<string, string>): Promise<{ sid: string; status: string }> {
    const res = await fetch(messagesUrl, {
      method: 'POST',
      headers: {
        authorization,
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await res.text();
    let json: { sid?: unknown; status?: unknown; code?: unknown; message?: unknown } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // A proxy's HTML error page: the HTTP status decides.
    }
    if (!res.ok)
      throw new TwilioRestError(
        res.status,
        typeof json.code === 'number' ? json.code : undefined,
        typeof json.message === 'string' ? json.message : `Twilio answered ${res.status}`,
      );
    if (typeof json.sid !== 'string' || typeof json.status !== 'string')
      throw new Error(`Twilio answered ${res.status} without a message sid`);
    return { sid: json.sid, status: json.status };
  }

  return {
    name: 'twilio',
    needsSender: !options.messagingServiceSid,
    async send({ from, to, body, clientRef }) {
      const sender: Record<string, string> | null =
        from !== null
          ? { From: from }
          : options.messagingServiceSid
            ? { MessagingServiceSid: options.messagingServiceSid }
            : null;
      if (sender === null) throw new SmsPermanentError('rejected', 'no sender number configured');
      const statusCallback = callbackBase
        ? `${callbackBase}/v1/webhooks/twilio/status?ref=${encodeURIComponent(clientRef)}`
        : undefined;
      try {
        const message = await createMessage({
          ...sender,
          To: to,
          Body: body,
          ...(statusCallback ? { StatusCallback: statusCallback } : {}),
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
      const messages = await client().messages.list({ ...(from ? { from } : {}), to, limit: 20 });
      const match = messages.find((m) => m.body === body && m.dateCreated.getTime() >= notBefore);
      return match ? toSent(match) : null;
    },
    async deleteMessage(providerId) {
      try {
        await client().messages(providerId).remove();
      } catch (err) {
        // Erasure is idempotent: a message Twilio no longer has is already gone.
        if (restError(err)?.status === 404) return;
        throw err;
      }
    },
  };
}
