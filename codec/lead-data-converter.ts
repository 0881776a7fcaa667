import type { DataConverter } from '@temporalio/common';
import type { Env } from '../config/env';
import type { Db } from '../db/prisma';
import type { Logger } from '../logging/logger';
import { createSecretBox, parseMasterKey } from '../domain/crypto/secret-box';
import { LeadDataKeyStore } from './lead-data-keys';
import { LeadPayloadCodec } from './lead-payload-codec';

/** Ready keys an API process holds so capture works through a database outage. */
export const API_KEY_POOL_SIZE = 50;

export interface LeadCodec {
  keys: LeadDataKeyStore;
  codec: LeadPayloadCodec;
  dataConverter: DataConverter;
  close(): void;
}

/**
 * The one data converter of every Temporal client and worker: payloads of a lead are
 * encrypted with its data key. `masterKey` is ENCRYPTION_KEY; `previousMasterKeys` still
 * open keys wrapped before a rotation.
 */
export function createLeadCodec(opts: {
  db: Db;
  masterKey: string;
  previousMasterKeys?: string[];
  poolSize?: number;
  ttlMs?: number;
  onDestroyedKey?: 'throw' | 'keep';
  onBackgroundError?: (err: Error, what: string) => void;
}): LeadCodec {
  const box = createSecretBox({
    current: parseMasterKey(opts.masterKey),
    previous: (opts.previousMasterKeys ?? []).map(parseMasterKey),
  });
  const keys = new LeadDataKeyStore({
    db: opts.db,
    box,
    poolSize: opts.poolSize,
    ttlMs: opts.ttlMs,
    onBackgroundError: opts.onBackgroundError,
  });
  const codec = new LeadPayloadCodec({ keys, onDestroyedKey: opts.onDestroyedKey });
  return { keys, codec, dataConverter: { payloadCodecs: [codec] }, close: () => keys.close() };
}

/**
 * From the configuration: null without ENCRYPTION_KEY (production requires it). Processes
 * that start workflows (the API) keep a pool of ready keys; workers need none.
 */
export function leadCodecFromConfig(
  config: Pick<Env, 'ENCRYPTION_KEY' | 'ENCRYPTION_KEYS_PREVIOUS'>,
  db: Db,
  opts: { log: Logger; poolSize?: number },
): LeadCodec | null {
  if (!config.ENCRYPTION_KEY) return null;
  return createLeadCodec({
    db,
    masterKey: config.ENCRYPTION_KEY,
    previousMasterKeys: config.ENCRYPTION_KEYS_PREVIOUS,
    poolSize: opts.poolSize,
    onBackgroundError: (err, what) => opts.log.warn({ errType: err.name, what }, 'data key upkeep failed; retrying'),
  });
}
