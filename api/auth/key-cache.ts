import type { AuthContext } from './authenticate';

/**
 * Recently verified keys, by the hash of the presented key, so captures keep working
 * through a short database outage. Short-lived: a revoked key stops working on this
 * replica at once (the revoking request clears it) and on others within the TTL.
 */
export class KeyCache {
  private readonly entries = new Map<string, { auth: AuthContext; expires: number }>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly max = 10_000,
  ) {}

  get(hash: string, now: number): AuthContext | null {
    const entry = this.entries.get(hash);
    if (!entry) return null;
    if (entry.expires <= now) {
      this.entries.delete(hash);
      return null;
    }
    return entry.auth;
  }

  set(hash: string, auth: AuthContext, now: number) {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { auth, expires: now + this.ttlMs });
  }

  forgetKey(keyId: string) {
    for (const [hash, entry] of this.entries) if (entry.auth.keyId === keyId) this.entries.delete(hash);
  }
}
