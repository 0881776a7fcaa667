import type { DataConverter } from '@temporalio/common';
import type { Db } from '../db/prisma';
import { keyringFromConfig, type Keyring } from '../domain/crypto/keyring';
import type { Logger } from '../logging/logger';
import { LeadDataKeyStore } from './lead-data-keys';
import { LeadPayloadCodec } from './lead-payload-codec';

/** Ready keys an API process holds so capture works through a database outage. */
export const API_KEY_POOL_SIZE = 50;

export interface LeadCodec {
  keys: LeadDataKeyStore;
  codec: LeadPayloadCodec;
  dataConverter: DataConverter;
  /** The keyring the data keys are wrapped under (capture's dedupe hashes use it too). */
  keyring: Keyring;
  close(): void;
}

/**
 * The one data converter of every Temporal client and worker: payloads of a lead are
 * encrypted with its data key, wrapped under the keyring's master key (domain/crypto/keyring);
 * keys wrapped before a rotation still open. Tests may pass raw keys instead of a keyring.
 */
export function createLeadCodec(
  opts: {
    db: Db;
    poolSize?: number;
    ttlMs?: number;
    onDestroyedKey?: 'throw' | 'keep';
    onBackgroundError?: (err: Error, what: string) => void;
  } & ({ keyring: Keyring } | { masterKey: string; previousMasterKeys?: string[] }),
): LeadCodec {
  const keyring =
    'keyring' in opts
      ? opts.keyring
      : keyringFromConfig({ ENCRYPTION_KEY: opts.masterKey, ENCRYPTION_KEYS_PREVIOUS: opts.previousMasterKeys });
  if (!keyring) throw new Error('the lead codec needs a master key');
  const keys = new LeadDataKeyStore({
    db: opts.db,
    box: keyring.box,
    poolSize: opts.poolSize,
    ttlMs: opts.ttlMs,
    onBackgroundError: opts.onBackgroundError,
  });
  const codec = new LeadPayloadCodec({ keys, onDestroyedKey: opts.onDestroyedKey });
  return { keys, codec, dataConverter: { payloadCodecs: [codec] }, keyring, close: () => keys.close() };
}

/**
 * A process's codec from its keyring (keyringFromConfig): null without one, i.e. without
 * ENCRYPTION_KEY (production requires it). Processes that start workflows (the API) keep
 * a pool of ready keys; workers need none.
 */
export function leadCodecFromKeyring(
  keyring: Keyring | null,
  db: Db,
  opts: { log: Logger; poolSize?: number },
): LeadCodec | null {
  if (!keyring) return null;
  return createLeadCodec({
    db,
    keyring,
    poolSize: opts.poolSize,
    onBackgroundError: (err, what) => opts.log.warn({ errType: err.name, what }, 'data key upkeep failed; retrying'),
  });
}
