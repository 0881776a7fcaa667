import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { PrivateSpanExporter } from './span-privacy';

export interface Tracing {
  resource: Resource;
  /** Also takes the workflow spans the worker's sink brings out of the sandbox. */
  spanProcessor: SpanProcessor;
  /** Exports what is still buffered, then unregisters the provider. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** OTEL_SERVICE_NAME, or the process's own name (leadflow-api, leadflow-worker). */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL; spans go to <endpoint>/v1/traces over OTLP/HTTP. */
  endpoint?: string;
  /** Instead of OTLP (tests hand in an InMemorySpanExporter); each span is exported as it ends. */
  exporter?: SpanExporter;
}

/** The OTLP/HTTP traces URL for a base endpoint, as the OpenTelemetry specification builds it. */
export function otlpTracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href;
}

/**
 * Off (null) unless an endpoint or an exporter is given. Registers the global tracer
 * provider with the async-local-storage context manager and W3C trace-context propagation,
 * which the HTTP middleware and the Temporal interceptors use. Every span passes the
 * privacy filter (span-privacy.ts) on its way out.
 */
export function startTracing(opts: TracingOptions): Tracing | null {
  if (!opts.endpoint && !opts.exporter) return null;
  const resource = Resource.default().merge(new Resource({ 'service.name': opts.serviceName }));
  const spanProcessor = opts.exporter
    ? new SimpleSpanProcessor(new PrivateSpanExporter(opts.exporter))
    : new BatchSpanProcessor(new PrivateSpanExporter(new OTLPTraceExporter({ url: otlpTracesUrl(opts.endpoint!) })));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    resource,
    spanProcessor,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
