import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, sleep, startFakeServer, type FakeServer, type RecordedRequest } from './http-fake';

export interface TwilioFakeMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  status: string;
  statusCallback: string | null;
  dateCreated: Date;
  /** Null until the carrier hands the message on, as in Twilio: a queued message has no date_sent. */
  dateSent: Date | null;
  /** Epoch ms when the fake accepted the create request. */
  receivedAt: number;
}

export interface TwilioFailure {
  /** Twilio error code, e.g. 21610. */
  code?: number;
  /** HTTP status, e.g. 400. */
  status: number;
  message?: string;
}

export interface TwilioFake extends FakeServer {
  /** Every message the fake accepted, in order, including ones whose connection it dropped. */
  sent: TwilioFakeMessage[];
  /** Messages still held (not deleted), by sid. */
  messages: Map<string, TwilioFakeMessage>;
  /** The next `count` creates answer with this Twilio error instead of accepting. */
  failNextCreates(count: number, failure: TwilioFailure): void;
  /** The next `count` creates are accepted and stored, then the connection is dropped unanswered. */
  dropNextCreates(count: number): void;
  /** Resolves once `sent` holds at least `count` messages. */
  waitForSent(count: number, timeoutMs?: number): Promise<TwilioFakeMessage[]>;
  /** Delay before answering each create, to model carrier latency. */
  setDelay(ms: number): void;
  /** Moves a held message on, e.g. to 'sent' (which stamps date_sent) or 'delivered'. */
  setStatus(sid: string, status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed'): void;
}

export interface TwilioFakeOptions {
  /** When set, requests must carry Basic auth with this token. */
  authToken?: string;
  delayMs?: number;
}

const API = '/2010-04-01';
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const sidOf = (prefix: string) => prefix + randomBytes(16).toString('hex');

function messageJson(m: TwilioFakeMessage) {
  const uri = `${API}/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: m.accountSid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: m.dateSent ? rfc2822(m.dateSent) : null,
    date_updated: rfc2822(m.dateCreated),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: m.from,
    messaging_service_sid: null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${API}/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri,
  };
}

function twilioError(res: ServerResponse, status: number, code: number | undefined, message: string) {
  sendJson(res, status, {
    code: code ?? null,
    message,
    more_info: code ? `https://www.twilio.com/docs/errors/${code}` : null,
    status,
  });
}

/** `DateSent>` is inclusive; like Twilio it can only match messages that have a date_sent. */
function dateSentAfter(query: Record<string, string>): Date | null {
  const raw = query['DateSent>'];
  return raw ? new Date(raw) : null;
}

/** A server speaking the slice of Twilio's Messages API that the adapter uses. */
export async function startTwilioFake(options: TwilioFakeOptions = {}): Promise<TwilioFake> {
  const sent: TwilioFakeMessage[] = [];
  const messages = new Map<string, TwilioFakeMessage>();
  const failures: TwilioFailure[] = [];
  let drops = 0;
  let delayMs = options.delayMs ?? 0;
  const waiters = new Set<() => void>();

  function authorised(req: RecordedRequest, accountSid: string): boolean {
    const header = req.headers.authorization;
    if (!header?.startsWith('Basic ')) return false;
    const [user, password] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    return user === accountSid && (options.authToken === undefined || password === options.authToken);
  }

  function create(req: RecordedRequest, res: ServerResponse, accountSid: string) {
    const failure = failures.shift();
    if (failure)
      return twilioError(
        res,
        failure.status,
        failure.code,
        failure.message ?? `Twilio error ${failure.code ?? failure.status}`,
      );
    const form = (req.body ?? {}) as Record<string, string>;
    // As Twilio: a Messaging Service (MG…) may stand in for the From number.
    if (!form.To || !form.Body || !(form.From || form.MessagingServiceSid))
      return twilioError(res, 400, 21604, "A 'To', 'From' and 'Body' are required.");
    const message: TwilioFakeMessage = {
      sid: sidOf('SM'),
      accountSid,
      from: form.From ?? form.MessagingServiceSid!,
      to: form.To,
      body: form.Body,
      status: 'queued',
      statusCallback: form.StatusCallback ?? null,
      dateCreated: new Date(),
      dateSent: null,
      receivedAt: req.receivedAt,
    };
    sent.push(message);
    messages.set(message.sid, message);
    for (const wake of waiters) wake();
    if (drops > 0) {
      drops -= 1;
      res.destroy();
      return;
    }
    sendJson(res, 201, messageJson(message));
  }

  function list(req: RecordedRequest, res: ServerResponse, accountSid: string) {
    const after = dateSentAfter(req.query);
    const pageSize = Number(req.query.PageSize ?? 50);
    const found = [...messages.values()]
      .filter((m) => m.accountSid === accountSid)
      .filter((m) => (req.query.To ? m.to === req.query.To : true))
      .filter((m) => (req.query.From ? m.from === req.query.From : true))
      .filter((m) =>
        after ? m.dateSent !== null && Math.floor(m.dateSent.getTime() / 1000) * 1000 >= after.getTime() : true,
      )
      .reverse()
      .slice(0, pageSize);
    const uri = `${API}/Accounts/${accountSid}/Messages.json?PageSize=${pageSize}&Page=0`;
    sendJson(res, 200, {
      messages: found.map(messageJson),
      end: Math.max(found.length - 1, 0),
      first_page_uri: uri,
      next_page_uri: null,
      page: 0,
      page_size: pageSize,
      previous_page_uri: null,
      start: 0,
      uri,
    });
  }

  const server = await startFakeServer(async (req, res) => {
    const collection = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.path);
    const single = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/.exec(req.path);
    const accountSid = collection?.[1] ?? single?.[1];
    if (!accountSid) return twilioError(res, 404, 20404, 'The requested resource was not found');
    if (!authorised(req, accountSid)) return twilioError(res, 401, 20003, 'Authenticate');

    if (collection && req.method === 'POST') {
      if (delayMs > 0) await sleep(delayMs);
      return create(req, res, accountSid);
    }
    if (collection && req.method === 'GET') return list(req, res, accountSid);
    const sid = single?.[2];
    if (sid && req.method === 'DELETE') {
      if (!messages.delete(sid))
        return twilioError(res, 404, 20404, `The requested resource ${req.path} was not found`);
      res.writeHead(204).end();
      return;
    }
    if (sid && req.method === 'GET') {
      const message = messages.get(sid);
      return message
        ? sendJson(res, 200, messageJson(message))
        : twilioError(res, 404, 20404, 'The requested resource was not found');
    }
    twilioError(res, 405, 20004, 'Method not allowed');
  });

  return {
    ...server,
    sent,
    messages,
    failNextCreates(count, failure) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
    dropNextCreates(count) {
      drops += count;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    setStatus(sid, status) {
      const message = messages.get(sid);
      if (!message) throw new Error(`Twilio fake: no message ${sid}`);
      message.status = status;
      if (status !== 'queued') message.dateSent ??= new Date();
    },
    waitForSent(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (sent.length < count) return;
          cleanup();
          resolve(sent.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Twilio fake: ${sent.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
