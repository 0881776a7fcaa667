import { Runtime } from '@temporalio/worker';
import type { Logger } from '../logging/logger';

/**
 * Installs the SDK runtime with its Prometheus endpoint (task latencies, slots, sticky
 * cache) on 127.0.0.1:`metricsPort`; 0 leaves metrics off. A port already taken (a second
 * worker on the same host) is not worth losing a worker over: it runs without the
 * endpoint, after one warning line. Returns the address served, or null.
 */
export function installRuntime({ metricsPort, log }: { metricsPort: number; log: Logger }): string | null {
  if (metricsPort === 0) return null;
  const bindAddress = `127.0.0.1:${metricsPort}`;
  try {
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress } } } });
    return bindAddress;
  } catch (err) {
    if (!/address already in use/i.test((err as Error).message)) throw err;
    log.warn(
      { metricsPort },
      `WORKER_METRICS_PORT ${metricsPort} is taken (another worker on this host?): running without worker metrics; give each worker its own port, or 0`,
    );
    return null;
  }
}
