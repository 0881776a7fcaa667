import type { ConnectionOptions } from '@temporalio/client';

/**
 * The Temporal side of leadflow: where the service is, which task queues exist, and the
 * custom search attributes operators filter on in the Web UI. Pure data and a pure
 * function of the environment, so the API, the worker, `npm start` and tests all agree.
 */

export const TASK_QUEUES = {
  /** Lead workflows and the activities that talk to Postgres and the providers. */
  leads: 'leadflow-leads',
  /**
   * Retention sweeps, account workflows (tenant purges) and data-subject requests: served
   * by a second worker with a few slots of its own, so a sweep never delays a first reply.
   */
  privacy: 'leadflow-privacy',
} as const;

/**
 * The queue housekeeping workflows start on, for a process whose lead queue is `leadsQueue`.
 * A process pinned to a queue of its own (a test's) keeps everything on that one queue, so
 * a single worker serves it.
 */
export function privacyQueueFor(leadsQueue: string = TASK_QUEUES.leads): string {
  return leadsQueue === TASK_QUEUES.leads ? TASK_QUEUES.privacy : leadsQueue;
}

/**
 * Registered when the local dev server starts (`--search-attribute`), and by
 * `temporal operator search-attribute create` on a cluster. Names are prefixed so they
 * never collide with another application's attributes in a shared namespace.
 */
export const SEARCH_ATTRIBUTES = {
  businessId: { name: 'LeadflowBusinessId', type: 'Keyword' },
  leadStatus: { name: 'LeadflowLeadStatus', type: 'Keyword' },
  nextActionAt: { name: 'LeadflowNextActionAt', type: 'Datetime' },
  /** The account workflow's status: active | paused | export_window | waiting_legal_hold | purged. */
  accountStatus: { name: 'LeadflowAccountStatus', type: 'Keyword' },
} as const;

export type SearchAttributeType = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES]['type'];

export const LOCAL_DEV_SERVER = {
  port: 7233,
  uiPort: 8233,
  namespace: 'default',
} as const;

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Accepted by both the client's Connection and the worker's NativeConnection. */
  connection: Pick<ConnectionOptions, 'address' | 'tls'> & { apiKey?: string };
}

export interface TemporalEnv {
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
}

/**
 * TLS material may be given inline (PEM) or as a path; Temporal Cloud takes either mTLS
 * or an API key (which implies TLS).
 */
export function temporalSettings(env: TemporalEnv, readFile: (path: string) => Buffer): TemporalSettings {
  const address = env.TEMPORAL_ADDRESS ?? `127.0.0.1:${LOCAL_DEV_SERVER.port}`;
  const pem = (value: string) => (value.includes('-----BEGIN') ? Buffer.from(value) : readFile(value));
  const connection: TemporalSettings['connection'] = { address };
  if (env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY) {
    connection.tls = { clientCertPair: { crt: pem(env.TEMPORAL_TLS_CERT), key: pem(env.TEMPORAL_TLS_KEY) } };
  }
  if (env.TEMPORAL_API_KEY) {
    connection.apiKey = env.TEMPORAL_API_KEY;
    connection.tls ??= true;
  }
  return { address, namespace: env.TEMPORAL_NAMESPACE, connection };
}
