import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { sendJson, sleep, startFakeServer, type FakeServer } from './http-fake';

/** The parts of a Messages API request body the fake reads. */
export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  system?: string | Array<{ type: 'text'; text: string }>;
  messages: Array<{ role: 'user' | 'assistant'; content: string | Array<{ type: string; text?: string }> }>;
}

export type AnthropicReplyFn = (request: AnthropicRequestBody) => string | Promise<string>;

export interface AnthropicFailure {
  status: number;
  type: string;
  message?: string;
}

export interface AnthropicFake extends FakeServer {
  /** Parsed bodies of every accepted POST /v1/messages, in order. */
  bodies: AnthropicRequestBody[];
  setReply(reply: AnthropicReplyFn): void;
  setDelay(ms: number): void;
  /** The next `count` requests answer with this API error. */
  failNext(count: number, failure: AnthropicFailure): void;
}

export interface AnthropicFakeOptions {
  /** Delay before each answer, e.g. to trip the caller's timeout. */
  delayMs?: number;
  reply?: AnthropicReplyFn;
  /** When set, the key (x-api-key, or `Authorization: Bearer` as SDK 1.x sends it) must equal it; otherwise any non-empty key is accepted. */
  apiKey?: string;
}

export const systemText = (body: AnthropicRequestBody): string =>
  typeof body.system === 'string' ? body.system : (body.system ?? []).map((b) => b.text).join('\n');

export const messagesText = (body: AnthropicRequestBody): string =>
  body.messages
    .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((c) => c.text ?? '').join('')))
    .join('\n');

/** Older SDKs send `x-api-key`; @anthropic-ai/sdk 1.x sends the same key as `Authorization: Bearer`. */
export function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const direct = headers['x-api-key'];
  if (typeof direct === 'string' && direct.length > 0) return direct;
  return /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
}

/**
 * Answers classification prompts with `{"intent":"other"}` and reply prompts with a short
 * text that names the bot (read from "You are <name>," in the system prompt) and carries
 * opt-out wording, so it passes the reply check.
 */
export const defaultAnthropicReply: AnthropicReplyFn = (body) => {
  const system = systemText(body);
  if (/answer with json/i.test(system)) return '{"intent":"other"}';
  const bot = /You are ([^,]+),/.exec(system)?.[1] ?? 'the assistant';
  return `Hi, this is ${bot}. Thanks for reaching out! Reply BOOK and I'll send open times. Reply STOP to opt out.`;
};

/** A server speaking the Anthropic Messages API (non-streaming). */
export async function startAnthropicFake(options: AnthropicFakeOptions = {}): Promise<AnthropicFake> {
  const bodies: AnthropicRequestBody[] = [];
  const failures: AnthropicFailure[] = [];
  let reply = options.reply ?? defaultAnthropicReply;
  let delayMs = options.delayMs ?? 0;

  const server = await startFakeServer(async (req, res) => {
    const error = (status: number, type: string, message: string) =>
      sendJson(res, status, {
        type: 'error',
        error: { type, message },
        request_id: `req_${randomBytes(12).toString('hex')}`,
      });
    if (req.method !== 'POST' || req.path !== '/v1/messages')
      return error(404, 'not_found_error', `${req.method} ${req.path} not found`);
    const key = apiKeyOf(req.headers);
    if (typeof key !== 'string' || key.length === 0 || (options.apiKey !== undefined && key !== options.apiKey))
      return error(401, 'authentication_error', 'invalid x-api-key');
    if (typeof req.headers['anthropic-version'] !== 'string')
      return error(400, 'invalid_request_error', 'anthropic-version header is required');
    const body = req.body as AnthropicRequestBody;
    if (
      !body ||
      typeof body.model !== 'string' ||
      !Array.isArray(body.messages) ||
      typeof body.max_tokens !== 'number'
    ) {
      return error(400, 'invalid_request_error', 'model, max_tokens and messages are required');
    }
    bodies.push(body);
    if (delayMs > 0) await sleep(delayMs);
    if (res.destroyed) return;
    const failure = failures.shift();
    if (failure) return error(failure.status, failure.type, failure.message ?? failure.type);
    const text = await reply(body);
    sendJson(res, 200, {
      id: `msg_${randomBytes(12).toString('hex')}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: Math.ceil(req.rawBody.length / 4), output_tokens: Math.ceil(text.length / 4) },
    });
  });

  return {
    ...server,
    bodies,
    setReply(next) {
      reply = next;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    failNext(count, failure) {
      for (let i = 0; i < count; i += 1) failures.push(failure);
    },
  };
}
