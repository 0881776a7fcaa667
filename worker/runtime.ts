import { Runtime, type TelemetryOptions } from '@temporalio/worker';
import type { Logger } from '../logging/logger';
import { temporalSdkLogger } from '../logging/temporal-sdk-logger';

/** Core's own (native) lines are forwarded to the logger from WARN up; its dependencies' from ERROR. */
const CORE_LOGS: TelemetryOptions['logging'] = { filter: { core: 'WARN', other: 'ERROR' }, forward: {} };

/**
 * Installs the SDK runtime, once per process and before any connection: the SDK's logs
 * (its own, Core's, and workflow and activity context logs) through the project's
 * redacting logger, and its Prometheus endpoint (task latencies, slots, sticky cache) on
 * 127.0.0.1:`metricsPort`; 0 leaves metrics off. A port already taken (a second worker on
 * the same host) is not worth losing a worker over: it runs without the endpoint, after
 * one warning line. Returns the metrics address served, or null.
 */
export function installRuntime({ metricsPort, log }: { metricsPort: number; log: Logger }): string | null {
  const logger = temporalSdkLogger(log);
  if (metricsPort === 0) {
    Runtime.install({ logger, telemetryOptions: { logging: CORE_LOGS } });
    return null;
  }
  const bindAddress = `127.0.0.1:${metricsPort}`;
  try {
    Runtime.install({ logger, telemetryOptions: { logging: CORE_LOGS, metrics: { prometheus: { bindAddress } } } });
    return bindAddress;
  } catch (err) {
    if (!/address already in use/i.test((err as Error).message)) throw err;
    log.warn(
      { metricsPort },
      `WORKER_METRICS_PORT ${metricsPort} is taken (another worker on this host?): running without worker metrics; give each worker its own port, or 0`,
    );
    Runtime.install({ logger, telemetryOptions: { logging: CORE_LOGS } });
    return null;
  }
}
