import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

/**
 * Tracing inside the sandbox: a span per run, signal, update and scheduled activity, carried
 * to activities in headers. Always in a prebuilt bundle, so it serves traced and untraced
 * workers; a bundle made at worker start leaves them out when tracing is off
 * (worker/create-worker.ts). The spans leave through the worker's `exporter` sink
 * (tracing/temporal.ts), which drops them when tracing is off. The `lib/workflow` path keeps
 * the package's Node-side code out of the bundle.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
