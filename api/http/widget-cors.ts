import type { RequestHandler } from 'express';
import { AppError } from './errors';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key';

/**
 * Preflights carry no key, so they cannot know the business: they are answered for any
 * origin, and the real request is then refused (403, and no CORS header for the browser
 * to read it by) unless its origin is one the business allowed.
 */
export const widgetPreflight: RequestHandler = (req, res, next) => {
  const origin = req.get('origin');
  if (req.method !== 'OPTIONS' || !origin) return next();
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
  res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  res.setHeader('Access-Control-Max-Age', '600');
  res.setHeader('Vary', 'Origin');
  res.status(204).end();
};

/** For widget keys: CORS headers only for the business's allowed origins. */
export function widgetCors(
  allowedOriginsOf: (businessId: string) => Promise<{ allowedOrigins: string[] }>,
): RequestHandler {
  return async (req, res, next) => {
    const origin = req.get('origin');
    if (!origin || req.auth?.role !== 'widget') return next();
    const { allowedOrigins } = await allowedOriginsOf(req.auth.businessId);
    res.setHeader('Vary', 'Origin');
    if (!allowedOrigins.includes(origin))
      return next(new AppError('forbidden', 'this widget key is not allowed from this origin'));
    res.setHeader('Access-Control-Allow-Origin', origin);
    next();
  };
}
