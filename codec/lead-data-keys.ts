import { randomBytes, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { poolOf, type Db } from '../db/prisma';
import { sql, type SqlClient } from '../db/sql';
import type { SecretBox } from '../domain/crypto/secret-box';
import { isUuid } from '../domain/ids';

/**
 * Per-lead data keys for the payload codec (crypto-shredding). Each lead's workflow
 * payloads are encrypted with its own random AES-256 key; the key is stored in
 * `lead_data_keys` wrapped under the master key (domain/crypto/keyring). Erasure destroys the
 * wrapped key, and with it every copy of the lead's data in Temporal histories.
 *
 * Capture must work while Postgres is down, so a process that starts workflows keeps a
 * pool of ready keys: rows inserted (leadId null) while the database was reachable, with
 * their unwrapped copies in memory. A lead without a key takes one from the pool; the
 * assignment is written to the row as soon as the database answers (by this store, and
 * durably by the lead's first activity, recordLead).
 */

/** How long unwrapped keys and lead→key assignments stay in a process's memory. */
export const DATA_KEY_CACHE_TTL_MS = 5 * 60_000;
/** A database call that takes longer counts as "unreachable": capture falls back to the pool. */
const DB_DEADLINE_MS = 1500;
const REFILL_RETRY_MS = 5000;
/**
 * How long a pool key's claim waits for its capture to record it (in the lead row's
 * transaction) before this store writes it itself: the capture normally does it within
 * milliseconds, and a second write of the same claim is a wasted statement per lead.
 */
const RECORD_GRACE_MS = 10_000;
/** The pool is topped up once this share of it is used: one insert per several captures, not one each. */
const REFILL_SHARE = 0.2;

export const DATA_KEY_DESTROYED = 'DataKeyDestroyed';

/** No key can be had: the pool is empty and the database is unreachable. Retry shortly. */
export class DataKeyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataKeyUnavailableError';
  }
}

/** The key was destroyed (erasure): what it encrypted can never be read again. */
export const dataKeyDestroyed = (keyId: string) =>
  ApplicationFailure.create({
    type: DATA_KEY_DESTROYED,
    nonRetryable: true,
    message: `lead data key ${keyId} was destroyed (erased): the payload cannot be decrypted`,
  });

export const isDataKeyDestroyed = (err: unknown) =>
  err instanceof ApplicationFailure && err.type === DATA_KEY_DESTROYED;

export interface DataKey {
  id: string;
  key: Buffer;
  leadId: string | null;
  businessId: string | null;
}

const wrapContext = (id: string) => `lead-data-key:${id}`;

const withDeadline = <T>(p: Promise<T>, ms = DB_DEADLINE_MS): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DataKeyUnavailableError('the database did not answer in time')), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

/** Stores alive in this process, so erasure can drop its keys from every one of them. */
const liveStores = new Set<LeadDataKeyStore>();

export interface LeadDataKeyStoreOptions {
  db: Db;
  box: SecretBox;
  /** Ready keys to hold for captures during a database outage (0: none, e.g. the worker). */
  poolSize?: number;
  ttlMs?: number;
  now?: () => number;
  /** Failures of background work (refill, recording), without personal data. */
  onBackgroundError?: (err: Error, what: string) => void;
}

export class LeadDataKeyStore {
  readonly poolSize: number;
  private readonly db: Db;
  private readonly box: SecretBox;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly onBackgroundError: (err: Error, what: string) => void;
  private readonly keys = new Map<string, { key: DataKey; expires: number }>();
  private readonly leads = new Map<string, { keyId: string; expires: number }>();
  private readonly pool: DataKey[] = [];
  /** Pool keys given to a lead whose row does not say so yet; this store writes them once due. */
  private readonly unrecorded = new Map<string, { leadId: string; businessId: string | null; due: number }>();
  private filling: Promise<void> | null = null;
  /** The next pass records every claim, due or not, and fills the pool to the brim (refill()). */
  private recordAll = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private recordTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(opts: LeadDataKeyStoreOptions) {
    this.db = opts.db;
    this.box = opts.box;
    this.poolSize = opts.poolSize ?? 0;
    this.ttlMs = opts.ttlMs ?? DATA_KEY_CACHE_TTL_MS;
    this.now = opts.now ?? Date.now;
    this.onBackgroundError = opts.onBackgroundError ?? (() => {});
    liveStores.add(this);
    this.maintain();
  }

  get readyKeys(): number {
    return this.pool.length;
  }

  /**
   * The key that encrypts this lead's payloads: known, else stored, else a fresh one.
   * `newLead`: the caller has just made this lead's id (a random one, claimed by this very
   * request), so no key can be stored for it and the lookup is skipped.
   */
  async keyForLead(
    leadId: string,
    businessId: string | null = null,
    opts: { newLead?: boolean } = {},
  ): Promise<DataKey> {
    const known = this.leads.get(leadId);
    if (known && known.expires > this.now()) return this.keyById(known.keyId);

    let stored: { id: string } | null = null;
    let reachable = true;
    if (!opts.newLead) {
      try {
        // Capture and every decode ask this: plain SQL (db/sql.ts).
        [stored = null] = await withDeadline(
          sql<{ id: string }>(
            this.db,
            'SELECT id FROM lead_data_keys WHERE lead_id = $1 AND destroyed_at IS NULL ORDER BY assigned_at DESC LIMIT 1',
            [leadId],
          ),
        );
      } catch {
        reachable = false;
      }
    }
    if (stored) {
      this.remember(leadId, stored.id);
      return this.keyById(stored.id);
    }

    const ready = this.takeReady(leadId, businessId);
    if (ready) return ready;
    if (!reachable) throw new DataKeyUnavailableError('no data key is ready and the database is unreachable');
    const key = await this.insertKey({ leadId, businessId }).catch((err: unknown) => {
      throw err instanceof DataKeyUnavailableError
        ? err
        : new DataKeyUnavailableError('no data key is ready and the database did not take a new one');
    });
    this.remember(leadId, key.id);
    return key;
  }

  /** Unwrapped key by id: from memory, else from the database. Destroyed keys throw. */
  async keyById(keyId: string): Promise<DataKey> {
    // A payload's key id is input (the codec endpoints take payloads from callers): one that is not an id names no key.
    if (!isUuid(keyId)) throw new Error('a lead data key id is a UUID; this payload names none');
    const hit = this.keys.get(keyId);
    if (hit && hit.expires > this.now()) return hit.key;
    this.keys.delete(keyId);
    let row:
      | {
          id: string;
          leadId: string | null;
          businessId: string | null;
          masterKeyId: string;
          wrappedKey: string | null;
          destroyedAt: Date | null;
        }
      | undefined;
    try {
      [row] = await withDeadline(
        sql(
          this.db,
          `SELECT id, lead_id AS "leadId", business_id AS "businessId", master_key_id AS "masterKeyId", wrapped_key AS "wrappedKey", destroyed_at AS "destroyedAt"
             FROM lead_data_keys WHERE id = $1`,
          [keyId],
        ),
      );
    } catch (err) {
      throw err instanceof DataKeyUnavailableError
        ? err
        : new DataKeyUnavailableError(`data key ${keyId} cannot be loaded: the database is unreachable`);
    }
    if (!row) throw new Error(`lead data key ${keyId} does not exist`);
    if (!row.wrappedKey || row.destroyedAt) throw dataKeyDestroyed(keyId);
    const key: DataKey = {
      id: row.id,
      key: this.box.open({ keyId: row.masterKeyId, ciphertext: row.wrappedKey }, wrapContext(row.id)),
      leadId: row.leadId,
      businessId: row.businessId,
    };
    this.cacheKey(key);
    return key;
  }

  /**
   * Whose each key is and whether it is destroyed, from the database, never from memory: an
   * erasure in any process shows at once. Destroyed keys are dropped from this process's
   * memory too. Keys not found are absent from the answer.
   */
  async keyStates(
    keyIds: string[],
  ): Promise<Map<string, { businessId: string | null; leadId: string | null; destroyed: boolean }>> {
    const states = new Map<string, { businessId: string | null; leadId: string | null; destroyed: boolean }>();
    if (keyIds.length === 0) return states;
    let rows: Array<{ id: string; businessId: string | null; leadId: string | null; destroyed: boolean }>;
    try {
      rows = await withDeadline(
        sql(
          this.db,
          `SELECT id, business_id AS "businessId", lead_id AS "leadId", (wrapped_key IS NULL OR destroyed_at IS NOT NULL) AS destroyed
             FROM lead_data_keys WHERE id = ANY($1::uuid[])`,
          [keyIds],
        ),
      );
    } catch (err) {
      throw err instanceof DataKeyUnavailableError
        ? err
        : new DataKeyUnavailableError('data keys cannot be checked: the database is unreachable');
    }
    for (const row of rows) {
      states.set(row.id, { businessId: row.businessId, leadId: row.leadId, destroyed: row.destroyed });
      if (row.destroyed) {
        this.keys.delete(row.id);
        if (row.leadId) this.leads.delete(row.leadId);
      }
    }
    return states;
  }

  /**
   * A ready key for a lead id the caller has just made, without a lookup or a wait; null when
   * the pool is empty (keyForLead then). Recorded for the lead by this store after a grace,
   * unless the caller writes it (assignmentRecorded) or gives it up (notUsed).
   */
  takeReady(leadId: string, businessId: string | null = null): DataKey | null {
    const ready = this.pool.shift();
    if (!ready) return null;
    const key = { ...ready, leadId, businessId };
    this.cacheKey(key);
    this.remember(leadId, key.id);
    this.unrecorded.set(key.id, { leadId, businessId, due: this.now() + RECORD_GRACE_MS });
    this.scheduleRecording();
    this.maintain();
    return key;
  }

  /**
   * A key taken for a lead id that did not become the lead (its capture turned out to be of a
   * lead already claimed): forgotten for that id and never recorded for it. Not given to
   * another lead either; its row stays unassigned, encrypting nothing.
   */
  notUsed(keyId: string, leadId: string) {
    this.unrecorded.delete(keyId);
    if (this.leads.get(leadId)?.keyId === keyId) this.leads.delete(leadId);
    this.keys.delete(keyId);
  }

  /** The caller wrote this pool key's claim in its lead row's transaction: nothing left to record. */
  assignmentRecorded(keyId: string) {
    this.unrecorded.delete(keyId);
  }

  /** Learned from a decoded payload: this lead's payloads are under this key. */
  remember(leadId: string, keyId: string) {
    this.leads.set(leadId, { keyId, expires: this.now() + this.ttlMs });
  }

  /** Drops everything this process holds for the lead; returns the ids of keys whose row does not name it yet. */
  forgetLead(leadId: string): string[] {
    this.leads.delete(leadId);
    for (const [id, entry] of this.keys) if (entry.key.leadId === leadId) this.keys.delete(id);
    const pending: string[] = [];
    for (const [id, claim] of this.unrecorded) {
      if (claim.leadId !== leadId) continue;
      pending.push(id);
      this.unrecorded.delete(id);
    }
    return pending;
  }

  /** Fills the pool and records every pending assignment; resolves when done (or the database failed). */
  refill(): Promise<void> {
    this.recordAll = true;
    return this.fill();
  }

  private fill(): Promise<void> {
    this.filling ??= (async () => {
      // Keys taken while a pass ran are recorded by the next pass; after a failure the retry timer takes over.
      while ((await this.refillOnce()) && this.hasWork());
    })().finally(() => {
      this.filling = null;
    });
    return this.filling;
  }

  close() {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.recordTimer) clearTimeout(this.recordTimer);
    liveStores.delete(this);
  }

  private dueClaims(): Array<[string, { leadId: string; businessId: string | null }]> {
    const now = this.now();
    return [...this.unrecorded]
      .filter(([, claim]) => this.recordAll || claim.due <= now)
      .map(([id, { leadId, businessId }]) => [id, { leadId, businessId }]);
  }

  /** An explicit refill fills the pool to the brim; in the background it is topped up once a share of it is used. */
  private poolLow() {
    const used = this.poolSize - this.pool.length;
    return used > 0 && (this.recordAll || used >= Math.ceil(this.poolSize * REFILL_SHARE));
  }

  private hasWork() {
    return !this.closed && (this.poolLow() || this.dueClaims().length > 0);
  }

  private maintain() {
    if (this.hasWork()) void this.fill();
  }

  /** Claims still unrecorded when their grace ends are written by this store. */
  private scheduleRecording() {
    if (this.recordTimer || this.closed) return;
    this.recordTimer = setTimeout(() => {
      this.recordTimer = null;
      this.maintain();
      if (this.unrecorded.size > 0) this.scheduleRecording();
    }, RECORD_GRACE_MS);
    this.recordTimer.unref();
  }

  private async refillOnce(): Promise<boolean> {
    try {
      // In batches: under load many captures take a key between two refills, and each
      // statement here is paid by every capture (bench/RESULTS.md).
      const claims = this.dueClaims();
      this.recordAll = false;
      if (claims.length > 0) {
        await recordDataKeyAssignments(
          poolOf(this.db),
          claims.map(([keyId, claim]) => ({ keyId, ...claim })),
        );
        for (const [id] of claims) this.unrecorded.delete(id);
      }
      while (!this.closed && this.pool.length < this.poolSize)
        this.pool.push(...(await this.insertPoolKeys(this.poolSize - this.pool.length)));
      return true;
    } catch (err) {
      this.onBackgroundError(err instanceof Error ? err : new Error(String(err)), 'data key pool refill');
      if (!this.closed && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.maintain();
        }, REFILL_RETRY_MS);
        this.retryTimer.unref();
      }
      return false;
    }
  }

  /** `count` fresh keys for the pool (no lead yet), in one statement. */
  private async insertPoolKeys(count: number): Promise<DataKey[]> {
    const keys = Array.from({ length: count }, () => ({ id: randomUUID(), key: randomBytes(32) }));
    const sealed = keys.map((k) => this.box.seal(k.key, wrapContext(k.id)));
    await withDeadline(
      sql(
        this.db,
        'INSERT INTO lead_data_keys (id, master_key_id, wrapped_key) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])',
        [keys.map((k) => k.id), sealed.map((s) => s.keyId), sealed.map((s) => s.ciphertext)],
      ),
    );
    return keys.map((k) => ({ ...k, leadId: null, businessId: null }));
  }

  /** A key made for a lead on the spot (the pool is empty and the database answers). */
  private async insertKey({ leadId, businessId }: { leadId: string; businessId: string | null }): Promise<DataKey> {
    const id = randomUUID();
    const key = randomBytes(32);
    const sealed = this.box.seal(key, wrapContext(id));
    await withDeadline(
      sql(
        this.db,
        'INSERT INTO lead_data_keys (id, lead_id, business_id, master_key_id, wrapped_key, assigned_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, leadId, businessId, sealed.keyId, sealed.ciphertext, new Date(this.now())],
      ),
    );
    const dataKey = { id, key, leadId, businessId };
    this.cacheKey(dataKey);
    return dataKey;
  }

  private cacheKey(key: DataKey) {
    this.keys.set(key.id, { key, expires: this.now() + this.ttlMs });
  }
}

/**
 * Writes that pool keys now belong to their leads. Idempotent; a key already given to a
 * lead is never moved to another. A key taken before its business was known (a signal's
 * payload) learns it later.
 */
export async function recordDataKeyAssignments(
  c: SqlClient,
  claims: Array<{ keyId: string; leadId: string; businessId: string | null }>,
): Promise<void> {
  if (claims.length === 0) return;
  // `k.id = ANY(…)` repeats the join for the planner: it guesses 100 rows for an unnest and
  // would hash-join them against every key in the table; with it each key is one index probe.
  await c.query(
    `UPDATE lead_data_keys k
        SET lead_id = c.lead_id, business_id = COALESCE(k.business_id, c.business_id),
            assigned_at = CASE WHEN k.lead_id IS NULL THEN now() ELSE k.assigned_at END
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS c(id, lead_id, business_id)
      WHERE k.id = c.id AND k.id = ANY($1::uuid[]) AND (k.lead_id IS NULL OR k.lead_id = c.lead_id)`,
    [claims.map((c) => c.keyId), claims.map((c) => c.leadId), claims.map((c) => c.businessId)],
  );
}

export function recordDataKeyAssignment(
  c: SqlClient,
  claim: { keyId: string; leadId: string; businessId: string | null },
): Promise<void> {
  return recordDataKeyAssignments(c, [claim]);
}

/**
 * Crypto-shredding: destroys every data key of the lead, so its payloads in Temporal
 * histories can never be decrypted again. Drops the keys from this process's caches at
 * once. The codec endpoint checks every key in the database before it decodes (keyStates),
 * so no process decodes an erased lead's payloads after this returns; the lead's workflow
 * has closed before its keys go, so no worker needs them either. Returns how many keys were
 * destroyed.
 */
export async function destroyLeadDataKeys(db: Db, leadId: string): Promise<number> {
  const pending = [...liveStores].flatMap((store) => store.forgetLead(leadId));
  const destroyedAt = new Date();
  const { count } = await db.leadDataKey.updateMany({
    where: { OR: [{ leadId }, ...(pending.length ? [{ id: { in: pending } }] : [])], destroyedAt: null },
    data: { wrappedKey: null, destroyedAt, leadId },
  });
  for (const store of liveStores) store.forgetLead(leadId);
  return count;
}
