import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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
