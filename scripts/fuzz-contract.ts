import { readFileSync } from 'node:fs';

/** What the fuzz runner (scripts/fuzz.ts) holds every answer to: the served OpenAPI document. */

export interface Operation {
  /** As schemathesis names it: "GET /v1/leads/{id}". */
  name: string;
  method: string;
  /** Matches the request's path (percent-encoded, as sent) against the path template. */
  path: RegExp;
  params: number;
  /** Names of its query parameters. */
  query: string[];
  security: string[];
  roles: string[];
  /** Statuses the document describes for the operation. */
  statuses: Set<number>;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        security?: Array<Record<string, unknown>>;
        'x-roles'?: string[];
        parameters?: Array<{ in: string; name: string }>;
        responses: Record<string, unknown>;
      }
    >
  >;
}

export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The operations of a document, with their security schemes, key roles (`x-roles`) and statuses. */
export function operationsOf(document: unknown): Operation[] {
  const doc = document as OpenApiDocument;
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      name: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path: new RegExp(
        `^${path
          .split(/\{\w+\}/)
          .map(escapeRegex)
          .join('[^/]+')}$`,
      ),
      params: (path.match(/\{\w+\}/g) ?? []).length,
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      security: (op.security ?? []).flatMap((s) => Object.keys(s)),
      roles: op['x-roles'] ?? [],
      statuses: new Set(Object.keys(op.responses).map(Number)),
    })),
  );
}

export interface Exchange {
  request: { method: string; url: string };
  response: { status: number; content?: { text?: string | null } };
}

export interface Finding {
  what: string;
  count: number;
  /** Method and path only: a query string or body could carry anything. */
  example: string;
}

/**
 * Every answer held to the contract: no 5xx, and every 4xx a status the document gives
 * its operation, with the body `{ "error": { "code", "message", "details" } }`. One
 * finding per kind of problem and operation, counted.
 */
export function auditExchanges(exchanges: Exchange[], ops: Operation[]): Finding[] {
  const found = new Map<string, Finding>();
  const note = (what: string, example: string) => {
    const f = found.get(what);
    if (f) f.count += 1;
    else found.set(what, { what, count: 1, example });
  };
  for (const { request, response } of exchanges) {
    const status = response.status;
    if (status < 400) continue;
    const url = new URL(request.url);
    // The most specific template wins: /v1/business/legal-hold before /v1/business/{id}.
    const op = ops
      .filter((o) => o.method === request.method && o.path.test(url.pathname))
      .sort((a, b) => a.params - b.params)[0];
    const name = op?.name ?? `${request.method} (no documented route)`;
    const example = `${request.method} ${url.pathname.slice(0, 120)}`;
    if (status >= 500) {
      note(`${name} answered ${status}`, example);
      continue;
    }
    // A path the router does not know (e.g. an id with an encoded slash) gets its 404, in the same shape.
    if (op ? !op.statuses.has(status) : status !== 404)
      note(`${name} answered ${status}, which the document does not give it`, example);
    if (!isErrorShape(response.content?.text)) note(`${name} answered ${status} without the error shape`, example);
  }
  return [...found.values()];
}

/**
 * The same audit over a pass's HAR report. schemathesis runs only `not_a_server_error` on
 * the cases where it breaks the Content-Type, so without this an undocumented 415 passes.
 */
export function auditHar(path: string, ops: Operation[]): Finding[] {
  let har: { log: { entries: Exchange[] } };
  try {
    har = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return [{ what: 'no HAR report to audit', count: 1, example: path }];
  }
  return auditExchanges(har.log.entries, ops);
}

export function isErrorShape(text: string | null | undefined): boolean {
  try {
    const body = JSON.parse(text ?? '') as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string' && 'details' in body.error;
  } catch {
    return false;
  }
}

/**
 * Figures from schemathesis' own summary: "Tested: 21", "327 generated, 22 found 22 unique
 * failures" and the closing line ("=== 22 failures, 1 error, 2 warnings in 23.19s ===").
 */
export function summaryCounts(output: string): { operations: number; examples: number; failures: number } {
  const tested = /^\s*Tested:\s*(\d+)/m.exec(output);
  const cases = /^\s*(\d+) generated\b/m.exec(output);
  const closing = /^=+ (.*) in [\d.]+s =+$/m.exec(output)?.[1] ?? '';
  const count = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(closing)?.[1] ?? 0);
  return {
    operations: Number(tested?.[1] ?? 0),
    examples: Number(cases?.[1] ?? 0),
    failures: count('failures?') + count('errors?'),
  };
}
