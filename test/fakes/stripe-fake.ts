import { randomBytes } from 'node:crypto';
import { sendJson, startFakeServer, type FakeServer, type RecordedRequest } from './http-fake';

/**
 * A server speaking the part of Stripe's API that job invoices use, in Stripe's wire format:
 * form-encoded requests (nested fields as `metadata[key]`), JSON objects back, Bearer auth,
 * `Stripe-Account` for a connected account, and `Idempotency-Key` honoured as Stripe does
 * (the same key answers the first response again, without a second object).
 */
export interface StripeFake extends FakeServer {
  /** Objects by id, as the fake holds them. */
  objects: Map<string, Record<string, unknown>>;
  /** The requests that created something (not idempotent replays), in order. */
  creates: RecordedRequest[];
  /** The next `count` requests (to paths matching `path`, if given) answer 500: an outage the SDK and the activity retry. */
  failNext(count: number, path?: RegExp): void;
}

const idOf = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** `metadata[a]=1&metadata[b]=2` → { a: '1', b: '2' }: the nested fields Stripe's form encoding carries. */
function nested(body: Record<string, string>, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = new RegExp(`^${field}\\[(.+)\\]$`).exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

export async function startStripeFake(): Promise<StripeFake> {
  const objects = new Map<string, Record<string, unknown>>();
  const creates: RecordedRequest[] = [];
  const replies = new Map<string, { status: number; body: unknown }>();
  let failures = 0;
  let failing: RegExp | null = null;

  const error = (status: number, message: string, param?: string) => ({
    status,
    body: { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } },
  });

  function route(req: RecordedRequest, base: string): { status: number; body: unknown } {
    const body = (req.body ?? {}) as Record<string, string>;
    const account = (req.headers['stripe-account'] as string | undefined) ?? null;
    const created = Math.floor(Date.now() / 1000);
    const metadata = nested(body, 'metadata');
    const finalizeMatch = /^\/v1\/invoices\/([^/]+)\/finalize$/.exec(req.path);
    // A connected account that disconnected leadflow: Stripe answers 403 to every call made for it.
    if (account?.startsWith('acct_revoked'))
      return {
        status: 403,
        body: {
          error: {
            type: 'invalid_request_error',
            message: `The provided key does not have access to account '${account}' (or that account does not exist). Application access may have been revoked.`,
          },
        },
      };
    if (req.method === 'POST' && req.path === '/v1/customers') {
      const customer = {
        id: idOf('cus'),
        object: 'customer',
        created,
        name: body.name ?? null,
        phone: body.phone ?? null,
        email: body.email ?? null,
        metadata,
        livemode: false,
      };
      objects.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (req.method === 'POST' && req.path === '/v1/invoices') {
      if (!body.customer || !objects.has(body.customer)) return error(400, 'No such customer', 'customer');
      const id = idOf('in');
      const invoice = {
        id,
        object: 'invoice',
        created,
        customer: body.customer,
        status: 'draft',
        collection_method: body.collection_method ?? 'charge_automatically',
        days_until_due: body.days_until_due ? Number(body.days_until_due) : null,
        auto_advance: body.auto_advance === 'true',
        description: body.description ?? null,
        currency: 'usd',
        amount_due: 0,
        amount_paid: 0,
        hosted_invoice_url: null as string | null,
        metadata,
        account,
        lines: { object: 'list', data: [] as unknown[] },
        status_transitions: { finalized_at: null as number | null, paid_at: null as number | null },
        livemode: false,
      };
      objects.set(id, invoice);
      return { status: 200, body: invoice };
    }
    if (req.method === 'POST' && req.path === '/v1/invoiceitems') {
      const invoice = body.invoice ? objects.get(body.invoice) : undefined;
      if (!invoice) return error(400, 'No such invoice', 'invoice');
      if (invoice.status !== 'draft') return error(400, 'The invoice is not a draft', 'invoice');
      const amount = Number(body.amount);
      if (!Number.isInteger(amount) || amount <= 0) return error(400, 'Invalid amount', 'amount');
      const item = {
        id: idOf('ii'),
        object: 'invoiceitem',
        amount,
        currency: body.currency,
        description: body.description ?? null,
        invoice: body.invoice,
        customer: body.customer,
        metadata,
        livemode: false,
      };
      objects.set(item.id, item);
      (invoice.lines as { data: unknown[] }).data.push(item);
      invoice.amount_due = (invoice.amount_due as number) + amount;
      return { status: 200, body: item };
    }
    if (req.method === 'POST' && finalizeMatch) {
      const invoice = objects.get(finalizeMatch[1]!);
      if (!invoice) return error(404, 'No such invoice');
      if (invoice.status !== 'draft') return error(400, 'This invoice is already finalized');
      invoice.status = 'open';
      invoice.number = `LF-${String(objects.size).padStart(4, '0')}`;
      invoice.hosted_invoice_url = `${base}/i/${account ?? 'acct_platform'}/${invoice.id as string}?s=ap`;
      (invoice.status_transitions as { finalized_at: number }).finalized_at = created;
      return { status: 200, body: invoice };
    }
    return error(404, `Unrecognized request URL (${req.method}: ${req.path})`);
  }

  const server = await startFakeServer((req, res) => {
    if (!/^Bearer sk_/.test(String(req.headers.authorization ?? '')))
      return sendJson(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
    if (failures > 0 && (!failing || failing.test(req.path))) {
      failures -= 1;
      return sendJson(res, 500, { error: { type: 'api_error', message: 'An unknown error occurred' } });
    }
    const key = req.headers['idempotency-key'] as string | undefined;
    // Stripe scopes keys per account.
    const scoped = key ? `${(req.headers['stripe-account'] as string | undefined) ?? ''}:${key}` : null;
    const replay = scoped ? replies.get(scoped) : undefined;
    if (replay) {
      res.setHeader('idempotent-replayed', 'true');
      return sendJson(res, replay.status, replay.body);
    }
    const answer = route(req, server.url);
    if (answer.status === 200) creates.push(req);
    if (scoped) replies.set(scoped, answer);
    res.setHeader('request-id', `req_${randomBytes(8).toString('hex')}`);
    return sendJson(res, answer.status, answer.body);
  });

  return Object.assign(server, {
    objects,
    creates,
    failNext(count: number, path?: RegExp) {
      failures = count;
      failing = path ?? null;
    },
  });
}
