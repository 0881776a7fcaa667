import proto, { type temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES, type SearchAttributeType } from './temporal.config';

/**
 * What leadflow needs on a Temporal cluster besides a reachable frontend: its namespace and
 * its custom search attributes. The dev server gets them from `npm start`; a self-hosted
 * cluster or Temporal Cloud gets them from `npm run temporal:setup`. Both the client's
 * Connection and the worker's NativeConnection expose these two services.
 */
export interface ClusterServices {
  workflowService: Pick<
    temporal.api.workflowservice.v1.WorkflowService,
    'describeNamespace' | 'registerNamespace' | 'getSystemInfo'
  >;
  operatorService: Pick<
    temporal.api.operatorservice.v1.OperatorService,
    'addSearchAttributes' | 'listSearchAttributes'
  >;
}

// A CommonJS package: its runtime values come through the default import.
const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
/** gRPC status codes the setup tells apart. */
const GRPC = { notFound: 5, alreadyExists: 6, permissionDenied: 7, unimplemented: 12 } as const;

const grpcCode = (err: unknown): number | undefined =>
  typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : undefined;

const indexedType = (type: SearchAttributeType) =>
  IndexedValueType[`INDEXED_VALUE_TYPE_${type.toUpperCase()}` as keyof typeof IndexedValueType];

const typeName = (value: number) =>
  Object.values(SEARCH_ATTRIBUTES).find((a) => indexedType(a.type) === value)?.type ??
  String(IndexedValueType[value] ?? value).replace('INDEXED_VALUE_TYPE_', '');

export interface AttributeCheck {
  missing: string[];
  /** Present under the same name with another type: leadflow's queries would not match. */
  wrongType: Array<{ name: string; expected: string; found: string }>;
}

export async function compareSearchAttributes(services: ClusterServices, namespace: string): Promise<AttributeCheck> {
  const { customAttributes } = await services.operatorService.listSearchAttributes({ namespace });
  const present = customAttributes ?? {};
  const result: AttributeCheck = { missing: [], wrongType: [] };
  for (const { name, type } of Object.values(SEARCH_ATTRIBUTES)) {
    const found = present[name];
    if (found === undefined || found === null) result.missing.push(name);
    else if (found !== indexedType(type)) result.wrongType.push({ name, expected: type, found: typeName(found) });
  }
  return result;
}

export class SearchAttributesMissingError extends Error {
  override name = 'SearchAttributesMissingError';
}

/**
 * For the worker at start: throws one line naming what is missing and the command that
 * fixes it. Workflows upserting an unregistered attribute would fail their tasks forever.
 */
export async function checkSearchAttributes(services: ClusterServices, namespace: string): Promise<void> {
  const { missing, wrongType } = await compareSearchAttributes(services, namespace).catch((err: unknown) => {
    if (grpcCode(err) !== GRPC.notFound) throw err;
    throw new SearchAttributesMissingError(
      `namespace ${namespace} does not exist on this cluster: run \`npm run temporal:setup\` with the worker's TEMPORAL_* settings`,
    );
  });
  if (missing.length === 0 && wrongType.length === 0) return;
  const problems = [
    ...(missing.length ? [`missing ${missing.join(', ')}`] : []),
    ...wrongType.map((w) => `${w.name} is ${w.found}, expected ${w.expected}`),
  ];
  throw new SearchAttributesMissingError(
    `namespace ${namespace} lacks leadflow's search attributes (${problems.join('; ')}): run \`npm run temporal:setup\` with the worker's TEMPORAL_* settings`,
  );
}

export interface SetupReport {
  namespace: 'registered' | 'existed';
  added: string[];
  existing: string[];
}

/**
 * Idempotent: registers the namespace when the cluster does not have it (self-hosted
 * clusters; Temporal Cloud namespaces are created in Cloud and already exist), then adds
 * the attributes that are missing. An attribute already there with the right type is fine.
 */
export async function setupCluster(
  services: ClusterServices,
  opts: { namespace: string; retentionDays: number; log?: (line: string) => void; waitMs?: number },
): Promise<SetupReport> {
  const log = opts.log ?? (() => {});
  const namespace = await ensureNamespace(services, opts.namespace, opts.retentionDays);
  if (namespace === 'registered') log(`namespace ${opts.namespace} registered (retention ${opts.retentionDays} days)`);
  const before = await waitForNamespace(services, opts.namespace, opts.waitMs ?? 30_000);
  if (before.wrongType.length) {
    const w = before.wrongType.map((x) => `${x.name} is ${x.found}, expected ${x.expected}`).join('; ');
    throw new Error(
      `search attributes with the wrong type in ${opts.namespace}: ${w} (a type cannot be changed; remove them first)`,
    );
  }
  const wanted = Object.values(SEARCH_ATTRIBUTES);
  const toAdd = wanted.filter((a) => before.missing.includes(a.name));
  if (toAdd.length) {
    try {
      await services.operatorService.addSearchAttributes({
        namespace: opts.namespace,
        searchAttributes: Object.fromEntries(toAdd.map((a) => [a.name, indexedType(a.type)])),
      });
    } catch (err) {
      // Two setups racing: the other one added them first.
      if (grpcCode(err) !== GRPC.alreadyExists) throw explain(err, opts.namespace);
    }
  }
  const after = await compareSearchAttributes(services, opts.namespace);
  if (after.missing.length) throw new Error(`search attributes still missing after setup: ${after.missing.join(', ')}`);
  const added = toAdd.map((a) => a.name);
  return { namespace, added, existing: wanted.map((a) => a.name).filter((n) => !added.includes(n)) };
}

async function ensureNamespace(
  services: ClusterServices,
  namespace: string,
  retentionDays: number,
): Promise<SetupReport['namespace']> {
  try {
    await services.workflowService.describeNamespace({ namespace });
    return 'existed';
  } catch (err) {
    if (grpcCode(err) !== GRPC.notFound) throw explain(err, namespace);
  }
  try {
    await services.workflowService.registerNamespace({
      namespace,
      description: 'leadflow',
      workflowExecutionRetentionPeriod: proto.google.protobuf.Duration.fromObject({ seconds: retentionDays * 86_400 }),
    });
    return 'registered';
  } catch (err) {
    if (grpcCode(err) === GRPC.alreadyExists) return 'existed';
    throw explain(err, namespace);
  }
}

/** A namespace registered a moment ago reaches every frontend's cache within seconds. */
async function waitForNamespace(services: ClusterServices, namespace: string, waitMs: number): Promise<AttributeCheck> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await compareSearchAttributes(services, namespace);
    } catch (err) {
      if (grpcCode(err) !== GRPC.notFound || Date.now() > deadline) throw explain(err, namespace);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function explain(err: unknown, namespace: string): Error {
  const code = grpcCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === GRPC.permissionDenied || code === GRPC.unimplemented)
    return new Error(
      `the cluster refused (${message}). On Temporal Cloud, create namespace ${namespace} in Cloud and add the attributes there (docs/deploying.md); elsewhere, use credentials allowed to administer the namespace`,
    );
  return err instanceof Error ? err : new Error(message);
}
