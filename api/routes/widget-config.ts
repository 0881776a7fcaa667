import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps';
import { AppError } from '../http/errors';
import { defineRoute } from '../http/route';

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
export function widgetCors(deps: ApiDeps): RequestHandler {
  return async (req, res, next) => {
    const origin = req.get('origin');
    if (!origin || req.auth?.role !== 'widget') return next();
    const { allowedOrigins } = await deps.widgetConfig(req.auth.businessId);
    res.setHeader('Vary', 'Origin');
    if (!allowedOrigins.includes(origin))
      return next(new AppError('forbidden', 'this widget key is not allowed from this origin'));
    res.setHeader('Access-Control-Allow-Origin', origin);
    next();
  };
}

export function widgetConfigRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/widget/config',
      tag: 'Widget',
      summary: 'What the widget shows: the business name and its exact consent text',
      security: 'apiKey',
      roles: ['widget'],
      before: [widgetCors(deps)],
      responses: {
        200: {
          description: 'Widget settings',
          schema: z.object({ businessName: z.string(), consentText: z.string() }).openapi('WidgetConfig'),
        },
      },
      handler: async ({ auth, res }) => {
        const config = await deps.widgetConfig(auth.businessId);
        res.setHeader('Cache-Control', 'private, max-age=60');
        return { status: 200, body: { businessName: config.businessName, consentText: config.consentText } };
      },
    }),
  ];
}
