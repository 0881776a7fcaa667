import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/prisma';
import { sql } from '../../db/sql';
import { AppError } from './errors';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key';

const notAllowed = () => new AppError('forbidden', 'this widget key is not allowed from this origin');

/**
 * Preflights carry no key, so they cannot know the business: one is answered only for an
 * origin some business allows (leadflow_origin_allowed, remembered a minute per origin);
 * any other gets 403 and no CORS header. The real request is then checked against the
 * business of its key (widgetCors).
 */
export function widgetPreflight(db: Db, ttlMs = 60_000, max = 10_000): RequestHandler {
  const known = new Map<string, { allowed: boolean; expires: number }>();
  return async (req, res, next) => {
    const origin = req.get('origin');
    if (req.method !== 'OPTIONS' || !origin) return next();
    // No origin a business can list is this long: no query, and nothing this size is remembered.
    if (origin.length > 512) return next(notAllowed());
    let entry = known.get(origin);
    if (!entry || entry.expires <= Date.now()) {
      let rows: Array<{ allowed: boolean }>;
      try {
        rows = await sql<{ allowed: boolean }>(db, 'SELECT leadflow_origin_allowed($1) AS allowed', [origin]);
      } catch {
        return next(new AppError('unavailable', 'the widget is unavailable; retry shortly', null, 5));
      }
      entry = { allowed: rows[0]?.allowed === true, expires: Date.now() + ttlMs };
      known.delete(origin);
      if (known.size >= max) known.delete(known.keys().next().value!);
      known.set(origin, entry);
    }
    res.setHeader('Vary', 'Origin');
    if (!entry.allowed) return next(notAllowed());
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}

/**
 * The page a browser request comes from. Browsers send Origin on every cross-origin request
 * and every POST, but not on a same-origin GET (the demo page served by the API itself
 * reading /v1/widget/config); that one says Sec-Fetch-Site: same-origin, and its origin is ours.
 */
function requestOrigin(req: Request): string | undefined {
  const origin = req.get('origin');
  if (origin !== undefined) return origin;
  const host = req.get('host');
  return req.get('sec-fetch-site') === 'same-origin' && host ? `${req.protocol}://${host}` : undefined;
}

/**
 * For widget keys: only from the business's allowed origins, and only from a web page (a
 * request without Origin is refused like one from another site), with CORS headers for
 * that origin only.
 */
export function widgetCors(
  allowedOriginsOf: (businessId: string) => Promise<{ allowedOrigins: string[] }>,
): RequestHandler {
  return async (req, res, next) => {
    if (req.auth?.role !== 'widget') return next();
    const origin = requestOrigin(req);
    if (!origin) return next(notAllowed());
    const { allowedOrigins } = await allowedOriginsOf(req.auth.businessId);
    res.setHeader('Vary', 'Origin');
    if (!allowedOrigins.includes(origin)) return next(notAllowed());
    res.setHeader('Access-Control-Allow-Origin', origin);
    next();
  };
}
