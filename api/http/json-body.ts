import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** A JSON body whose text is not Unicode (errors.ts maps the type to a 400 naming the fields). */
export class InvalidTextError extends Error {
  readonly status = 400;
  readonly type = 'charset.invalid_utf8';
  constructor(readonly fields: string[]) {
    super('request body is not valid UTF-8');
  }
}

const strict = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/**
 * `express.json`'s verify hook: JSON is UTF-8 (RFC 8259), and a decoder that meets a byte
 * sequence that is not UTF-8 puts U+FFFD in its place, so "Dana \xC3(" would be stored as
 * "Dana \uFFFD(". The raw bytes are checked first and such a body is refused.
 */
export function refuseInvalidUtf8(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  try {
    strict.decode(body);
  } catch {
    let parsed: unknown;
    try {
      parsed = JSON.parse(lenient.decode(body));
    } catch {
      throw new InvalidTextError([]);
    }
    throw new InvalidTextError(fieldsWhere(parsed, (s) => s.includes('\uFFFD')));
  }
}

/** Half of a surrogate pair alone: "\ud800" is valid JSON but no character, and is stored as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** After `express.json`: a parsed body whose strings (or keys) are not well-formed Unicode is refused the same way. */
export const refuseLoneSurrogates: RequestHandler = (req, _res, next) => {
  if (req.body === undefined || req.body === null || typeof req.body !== 'object') return next();
  const fields = fieldsWhere(req.body, (s) => LONE_SURROGATE.test(s));
  next(fields.length > 0 ? new InvalidTextError(fields) : undefined);
};

/** The paths of the strings (and of objects whose keys) match, at most ten, to name them in the 400. */
function fieldsWhere(value: unknown, bad: (s: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (found.length >= 10 || path.length > 32) return;
    if (typeof v === 'string') {
      if (bad(v)) found.push(path.join('.') || '(body)');
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, String(i)]));
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (bad(k)) found.push([...path, '(key)'].join('.'));
        else walk(item, [...path, k]);
      }
    }
  };
  walk(value, []);
  return found;
}
