import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Span attributes leadflow exports; everything else is dropped before a span leaves the
 * process. An allow-list, because the Temporal interceptors copy the whole WorkflowInfo
 * into workflow spans and record exception messages, and a provider's error message can
 * quote a phone number. Ids, names of operations, durations and outcomes only: traces say
 * where and how long, the (redacted) logs say why.
 */
export const EXPORTED_SPAN_ATTRIBUTES: ReadonlySet<string> = new Set([
  // HTTP server spans (tracing/http-spans.ts): the route pattern, never the URL or its query.
  'http.request.method',
  'http.route',
  'http.response.status_code',
  // Set by @temporalio/interceptors-opentelemetry.
  'temporalWorkflowId',
  'temporalActivityId',
  'temporalUpdateId',
  'run_id',
  // From the WorkflowInfo the workflow span sink adds.
  'workflowId',
  'runId',
  'workflowType',
  'taskQueue',
  'namespace',
  'attempt',
]);

/** Of an exception event, only its type survives: its message and stack may quote the person. */
const EXPORTED_EVENT_ATTRIBUTES: ReadonlySet<string> = new Set(['exception.type']);

type Attributes = ReadableSpan['attributes'];

function keep(attributes: Attributes | undefined, allowed: ReadonlySet<string>): Attributes {
  const kept: Record<string, Attributes[string]> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    const primitive = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (allowed.has(key) && primitive) kept[key] = value;
  }
  return kept;
}

/**
 * The span as exported: same ids, name, timing and status code; attributes, events and
 * links cut to the allow-lists, the status message gone. Built on the span as prototype,
 * so the SDK's getters (duration, ended, …) keep working.
 */
export function privateSpan(span: ReadableSpan): ReadableSpan {
  return Object.create(span, {
    attributes: { value: keep(span.attributes, EXPORTED_SPAN_ATTRIBUTES), enumerable: true },
    events: {
      value: span.events.map((e) => ({ ...e, attributes: keep(e.attributes, EXPORTED_EVENT_ATTRIBUTES) })),
      enumerable: true,
    },
    links: { value: span.links.map((l) => ({ context: l.context })), enumerable: true },
    status: { value: { code: span.status.code }, enumerable: true },
  }) as ReadableSpan;
}

/** Wraps the real exporter (OTLP, or in-memory in tests): every span passes through privateSpan. */
export class PrivateSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans.map(privateSpan), done);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
