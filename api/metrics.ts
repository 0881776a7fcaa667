import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AppError } from './http/errors';

/** The API's Prometheus metrics, one registry per app so tests do not share counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'leadflow_api_' });
  return {
    registry,
    requests: new Histogram({
      name: 'leadflow_http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    captures: new Counter({
      name: 'leadflow_captures_total',
      help: 'Leads accepted',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    webhooks: new Counter({
      name: 'leadflow_webhooks_total',
      help: 'Webhook deliveries by source and outcome',
      labelNames: ['source', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const sha = (v: string) => createHash('sha256').update(v).digest();

/**
 * GET /metrics, for Prometheus with `Authorization: Bearer <METRICS_TOKEN>`. Request counts
 * by route and status tell a stranger how a business uses the platform, so without a
 * configured token the API serves no metrics at all (404), and without the token, 401.
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined): RequestHandler {
  return async (req, res, next) => {
    if (!token) return next();
    const header = req.get('authorization') ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    // Compare digests: constant time, and no length leak.
    if (!timingSafeEqual(sha(presented), sha(token))) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return next(
        new AppError('unauthorized', 'the metrics token is required (Authorization: Bearer <METRICS_TOKEN>)'),
      );
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
