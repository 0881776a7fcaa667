import { randomBytes } from 'node:crypto';
import { createKeyring, type Keyring } from '../../domain/crypto/keyring';
import { LEAD_INTAKE_PARAMS } from '../../db/lead-intake';
import type { Db } from '../../db/prisma';
import { prepared, sql, type SqlClient } from '../../db/sql';
import { AppError } from '../app-error';

/**
 * Which requests are the same one, for a while: a second capture of the same phone, or a
 * request retried with its Idempotency-Key. Lead ids are random, so sameness lives here, in
 * `idempotency_claims`, as keyed hashes (HMAC under the keyring's 'capture-dedupe' key): a row
 * says nothing about the phone or the key to anyone without the master key. The primary key
 * (business, digest) makes concurrent identical requests all land on the first one's lead.
 */

const DEDUPE = 'capture-dedupe';
const REQUEST = 'idempotency-request';

/** A second submit of the same phone within this window is the same lead. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** How long an Idempotency-Key is remembered (as Stripe does). */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;
/** Expired claims pruned per claim: bounded, and never waiting on another request's rows. */
const PRUNE_BATCH = 50;
/** How long a prune mark is trusted before a prune reads the business's expired claims from the oldest again. */
const PRUNE_MARK_MS = 3600_000;

/**
 * How far this process has pruned each business's expired claims. A deleted claim's index
 * entry stays until vacuum, and a prune that scanned from the oldest expiry would read every
 * such entry again (twice the rows it deletes, every capture paying for the one before). From
 * the mark, a prune reads about what it deletes. A claim the mark can pass without deleting it
 * (held by a transaction that then rolled back, or a prune rolled back with its capture) is
 * still expired, so it never counts, and the next prune from the oldest deletes it: each mark
 * is dropped after an hour, or when the clock reads earlier than the mark.
 */
export class ClaimPruneMarks {
  private readonly marks = new Map<string, { from: Date; since: number }>();

  constructor(private readonly opts: { maxBusinesses?: number; trustMs?: number } = {}) {}

  /** The oldest expiry a prune at `now` needs to read, or null for all of them. */
  from(businessId: string, now: Date): Date | null {
    const mark = this.marks.get(businessId);
    if (!mark) return null;
    if (now.getTime() - mark.since >= (this.opts.trustMs ?? PRUNE_MARK_MS) || mark.from > now) {
      this.marks.delete(businessId);
      return null;
    }
    return mark.from;
  }

  /** After a prune at `now` that deleted `count` claims, the last expiring at `last`. */
  pruned(businessId: string, now: Date, count: number, last: Date | null) {
    const since = this.marks.get(businessId)?.since ?? now.getTime();
    // A full batch may have left claims expiring at the same moment as its last one.
    const from = count >= PRUNE_BATCH && last ? last : now;
    this.marks.delete(businessId);
    if (this.marks.size >= (this.opts.maxBusinesses ?? 10_000)) this.marks.delete(this.marks.keys().next().value!);
    this.marks.set(businessId, { from, since });
  }
}

/** This process's marks: every claim of the API shares them unless its caller passes its own. */
const processPruneMarks = new ClaimPruneMarks();

export const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

/** The header's value, checked: 1 to 255 visible ASCII characters (a 400 naming the header otherwise). */
export function checkIdempotencyKey(value: string | undefined): string | undefined {
  if (value !== undefined && !IDEMPOTENCY_KEY.test(value)) {
    throw new AppError('bad_request', 'Idempotency-Key: must be 1 to 255 visible ASCII characters', [
      { field: 'Idempotency-Key', reason: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return value;
}

export type ClaimScope = { kind: 'phone'; phone: string } | { kind: 'capture-key' | 'message-key'; key: string };

const scopeValue = (businessId: string, scope: ClaimScope) =>
  scope.kind === 'phone' ? `${businessId}\nphone\n${scope.phone}` : `${businessId}\n${scope.kind}\n${scope.key}`;

/** The scope's digests under every configured master key, current first (a rotation strands no claim). */
export const claimDigests = (keyring: Keyring, businessId: string, scope: ClaimScope): string[] =>
  keyring.hmacs(DEDUPE, scopeValue(businessId, scope));

/** Canonical JSON (keys sorted), so the same body hashes the same whatever order its fields came in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

/** Keyed hash of a request body: stored with its Idempotency-Key, compared on a retry. */
export const requestHash = (keyring: Keyring, body: unknown): string => keyring.hmac(REQUEST, canonical(body));

/**
 * The keyring capture dedupes under: ENCRYPTION_KEY's (the privacy keys' and the codec's are
 * the same master key). Without one (development only; production requires it) a key of this
 * process: duplicates are then caught within the process.
 */
export function claimKeyring(sources: {
  privacyKeys?: { keyring: Keyring } | null;
  leadCodec?: { keyring: Keyring } | null;
}) {
  return sources.privacyKeys?.keyring ?? sources.leadCodec?.keyring ?? createKeyring({ current: randomBytes(32) });
}

export interface Claim {
  leadId: string;
  /** True when this request made the claim (the lead is new); false when an earlier one had. */
  fresh: boolean;
}

/** Claim for a recent lead of this business with this phone, if there is one (a lead recorded without a claim). */
export interface RecentByPhone {
  phone: string;
  since: Date;
}

/**
 * Claims `digests[0]` for `leadId` unless a live claim for the same digests exists: then that
 * claim's lead is the answer. With a request hash, a live claim made with another body is
 * refused (422 idempotency_key_reused). Runs in the caller's tenant transaction.
 */
export async function claimRequest(
  c: SqlClient,
  opts: {
    businessId: string;
    digests: string[];
    leadId: string;
    requestHash: string | null;
    now: Date;
    ttlMs: number;
    /** Claim for this phone's recent lead instead of `leadId` when one is found, in the same statement. */
    recentByPhone?: RecentByPhone;
    /** Where the prune of expired claims starts: this process's marks unless given. */
    pruneMarks?: ClaimPruneMarks;
  },
): Promise<Claim> {
  const { businessId, digests, now } = opts;
  const marks = opts.pruneMarks ?? processPruneMarks;
  const live = async () => {
    const { rows } = await c.query<{ lead_id: string; request_hash: string | null }>(
      prepared(
        `SELECT lead_id, request_hash FROM idempotency_claims
          WHERE business_id = $1 AND digest = ANY($2::text[]) AND expires_at > $3
          ORDER BY created_at LIMIT 1`,
        [businessId, digests, now],
      ),
    );
    return rows[0] ?? null;
  };
  // A claim made under a previous master key still counts.
  let found = digests.length > 1 ? await live() : null;
  if (!found) {
    const pruneFrom = marks.from(businessId, now);
    // The prune walks (business_id, expires_at) from the mark, oldest first, and stops at its batch.
    const { rows } = await c.query<ClaimAnswer>(
      prepared(`SELECT * FROM leadflow_capture_claim($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
        businessId,
        digests[0],
        opts.leadId,
        opts.requestHash,
        now,
        new Date(now.getTime() + opts.ttlMs),
        pruneFrom ?? '-infinity',
        PRUNE_BATCH,
        opts.recentByPhone?.phone ?? null,
        opts.recentByPhone?.since ?? null,
      ]),
    );
    const result = rows[0]!;
    marks.pruned(businessId, now, result.pruned, result.last_expiry);
    if (result.lead_id) return { leadId: result.lead_id, fresh: true };
    // Another request holds it (it waited for that one to commit): its lead is this one's.
    found = await live();
    if (!found) throw new Error('idempotency claim vanished between insert and read');
  }
  if (opts.requestHash !== null && found.request_hash !== opts.requestHash)
    throw new AppError(
      'idempotency_key_reused',
      'Idempotency-Key: this key was used with a different request body; use a new key for a new request',
      [{ field: 'Idempotency-Key', reason: 'was used with a different request body' }],
    );
  return { leadId: found.lead_id, fresh: false };
}

/** What leadflow_capture_claim answers (prisma/migrations/20261204180000_lead_intake_in_one_call). */
interface ClaimAnswer {
  /** Null when a live claim holds the digest: the caller reads it. */
  lead_id: string | null;
  pruned: number;
  last_expiry: Date | null;
}

/**
 * The usual capture in one call (leadflow_capture): the claim of `digest` for `leadId` (or for
 * the recent lead of `recentByPhone`), and when the claim is `leadId`'s own, the lead's row
 * with its data key, in one transaction of its own. `recorded` is false when the claim named
 * another lead or none (a live claim holds it): the caller then claims and records as usual,
 * and finds the same answer. `intake` is leadIntakeValues' sixteen for `leadId`.
 */
export async function claimAndRecordInOneCall(
  db: Db,
  opts: {
    businessId: string;
    digest: string;
    leadId: string;
    requestHash: string | null;
    now: Date;
    ttlMs: number;
    recentByPhone?: RecentByPhone;
    intake: unknown[];
    pruneMarks?: ClaimPruneMarks;
  },
): Promise<{ leadId: string | null; recorded: boolean }> {
  const { businessId, now } = opts;
  const marks = opts.pruneMarks ?? processPruneMarks;
  const [answer] = await sql<ClaimAnswer & { recorded: boolean }>(
    db,
    `SELECT * FROM leadflow_capture(${LEAD_INTAKE_PARAMS}, $17, $18, $19, $20, $21, $22, $23)`,
    [
      ...opts.intake,
      opts.digest,
      opts.requestHash,
      new Date(now.getTime() + opts.ttlMs),
      marks.from(businessId, now) ?? '-infinity',
      PRUNE_BATCH,
      opts.recentByPhone?.phone ?? null,
      opts.recentByPhone?.since ?? null,
    ],
  );
  marks.pruned(businessId, now, answer!.pruned, answer!.last_expiry);
  return { leadId: answer!.lead_id, recorded: answer!.recorded };
}

/** The lead of a live claim, if any (a lead accepted by phone whose row is not written yet). */
export async function claimedLeadIds(
  c: SqlClient,
  opts: { businessId: string; digests: string[]; now: Date },
): Promise<string[]> {
  const { rows } = await c.query<{ lead_id: string }>(
    'SELECT lead_id FROM idempotency_claims WHERE business_id = $1 AND digest = ANY($2::text[]) AND expires_at > $3',
    [opts.businessId, opts.digests, opts.now],
  );
  return rows.map((r) => r.lead_id);
}
