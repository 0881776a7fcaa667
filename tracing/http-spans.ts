import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Request, RequestHandler } from 'express';

/** The matched route's pattern (`/v1/leads/:id`), never the URL: ids are fine, a query string could carry anything. */
export function routePattern(req: Request): string | null {
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : null;
}

/**
 * A SERVER span per request, named `POST /v1/leads` once the route is known, continuing the
 * caller's trace when it sends `traceparent`. Its context is active for the handlers, so
 * the Temporal client's spans are its children. Without a registered tracer provider
 * (tracing off) the spans are no-ops.
 */
export function httpServerSpans(): RequestHandler {
  const tracer = trace.getTracer('leadflow-api');
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      req.method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route = routePattern(req);
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (!res.writableFinished || res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    const active = trace.setSpan(parent, span);
    // Body parsers continue from the socket's stream events, outside this call: binding the
    // emitters keeps the span active for the handlers they reach.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}
