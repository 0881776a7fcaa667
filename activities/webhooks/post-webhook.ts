import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isForbiddenAddress, WebhookUrlError } from '../../services/webhooks/address-guard';

/** A receiver that takes longer has failed this attempt; the workflow retries. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
const SNIPPET_BYTES = 512;

export type PostOutcome =
  | { kind: 'response'; status: number; snippet: string }
  | { kind: 'refused'; error: string }
  | { kind: 'error'; error: string };

/**
 * One POST, no redirects followed (a 3xx is a failed attempt: following it would let a
 * receiver bounce us onto an address the guard refused), connect-time address check.
 */
export function postWebhook(
  target: string,
  body: string,
  headers: Record<string, string>,
  opts: { allowPrivate: boolean; timeoutMs?: number },
): Promise<PostOutcome> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ kind: 'refused', error: 'the endpoint URL does not parse' });
  }
  const schemes = opts.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return Promise.resolve({ kind: 'refused', error: 'the endpoint is not https' });
  // An IP literal never reaches `lookup`: check it here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && isIP(host) && isForbiddenAddress(host))
    return Promise.resolve({ kind: 'refused', error: 'the endpoint resolves to a forbidden address' });

  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup({ allowPrivate: opts.allowPrivate }),
        timeout: opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'leadflow-webhooks/1',
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < SNIPPET_BYTES) chunks.push(c);
          size += c.length;
          if (size >= SNIPPET_BYTES) res.destroy();
        });
        const done = () =>
          resolve({
            kind: 'response',
            status: res.statusCode ?? 0,
            snippet: Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8'),
          });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error('timed out')), opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err: Error & { code?: string }) => {
      clearTimeout(deadline);
      if (err instanceof WebhookUrlError || err.code === 'EWEBHOOKADDRESS')
        resolve({ kind: 'refused', error: 'the endpoint resolves to a forbidden address' });
      else resolve({ kind: 'error', error: err.code ?? err.message });
    });
    req.on('close', () => clearTimeout(deadline));
    req.end(body);
  });
}
