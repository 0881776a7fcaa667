import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { PrivateSpanExporter, privateSpan } from '../../tracing/span-privacy';
import { otlpTracesUrl } from '../../tracing/tracing';

/** A workflow span as the Temporal sink hands it over: WorkflowInfo merged into its attributes, a failure recorded. */
function workflowSpan(): ReadableSpan {
  const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 };
  return {
    name: 'RunActivity:sendLeadSms',
    kind: SpanKind.INTERNAL,
    spanContext: () => spanContext,
    parentSpanId: 'c'.repeat(16),
    startTime: [1, 0],
    endTime: [2, 0],
    duration: [1, 0],
    ended: true,
    status: { code: SpanStatusCode.ERROR, message: "The 'To' number +12125550142 is not a valid phone number" },
    attributes: {
      temporalWorkflowId: 'lead-7d1e',
      workflowType: 'leadWorkflow',
      historyLength: 12,
      memo: '{"note":"Dana Whitfield"}',
      'lead.phone': '+12125550142',
      'http.url': 'https://leads.example.com/v1/leads?email=dana@example.com',
    },
    links: [{ context: spanContext, attributes: { 'lead.name': 'Dana Whitfield' } }],
    events: [
      {
        name: 'exception',
        time: [1, 5],
        attributes: {
          'exception.type': 'SmsRejected',
          'exception.message': 'To +12125550142 (Dana Whitfield) is unreachable',
          'exception.stacktrace': 'SmsRejected: To +12125550142 (Dana Whitfield) is unreachable\n    at send',
        },
      },
    ],
    resource: new Resource({ 'service.name': 'leadflow-worker' }),
    instrumentationLibrary: { name: '@temporalio/interceptor-activity' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

describe('spans leave the process without personal data', () => {
  it('keeps ids, names, timing and outcome; drops other attributes, exception messages and the status message', () => {
    const span = privateSpan(workflowSpan());
    expect(span.attributes).toEqual({ temporalWorkflowId: 'lead-7d1e', workflowType: 'leadWorkflow' });
    expect(span.events).toEqual([{ name: 'exception', time: [1, 5], attributes: { 'exception.type': 'SmsRejected' } }]);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(span.links).toEqual([{ context: workflowSpan().spanContext() }]);
    expect(span.name).toBe('RunActivity:sendLeadSms');
    expect(span.spanContext().spanId).toBe('b'.repeat(16));
    expect(span.parentSpanId).toBe('c'.repeat(16));
    expect(span.duration).toEqual([1, 0]);
    const text = JSON.stringify([span.attributes, span.events, span.status, span.links]);
    for (const personal of ['5550142', 'Dana', 'Whitfield', 'dana@example.com']) expect(text).not.toContain(personal);
  });

  it('filters every span the wrapped exporter receives', async () => {
    const inner = new InMemorySpanExporter();
    const exporter = new PrivateSpanExporter(inner);
    const result = await new Promise((resolve) => exporter.export([workflowSpan()], resolve));
    expect(result).toEqual({ code: 0 });
    expect(inner.getFinishedSpans().map((s) => s.attributes)).toEqual([
      { temporalWorkflowId: 'lead-7d1e', workflowType: 'leadWorkflow' },
    ]);
  });

  it('sends to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otlp.example.com/otlp/')).toBe('https://otlp.example.com/otlp/v1/traces');
  });
});
