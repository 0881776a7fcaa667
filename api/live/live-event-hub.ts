import { Mutex } from 'async-mutex';
import pg from 'pg';
import { isUuid } from '../../domain/ids';
import type { Logger } from '../../logging/logger';

/** What a stream sends: ids and kinds only (the triggers of the live_events migration write them). */
export type LiveEvent =
  | { event: 'lead'; data: { leadId: string; kind: 'captured' | 'message' | 'status' } }
  | { event: 'alert'; data: { alertId: string; kind: string; leadId: string | null } };

export interface LiveSubscriber {
  send(event: LiveEvent): void;
  /** The hub lost its listening connection: the stream ends so the client reconnects (and refetches). */
  end(): void;
}

/** The business's NOTIFY channel, as `leadflow_live_channel(uuid)` in the migration names it. */
export const liveChannel = (businessId: string) => `leadflow_live_${businessId.replace(/-/g, '')}`;

export class TooManyStreams extends Error {}

/**
 * One LISTEN connection per API process, shared by every stream it serves: it listens on the
 * channel of each business that has a client connected here, and only while one is.
 * Replicas each hold their own; Postgres fans every NOTIFY out to all of them.
 */
export class LiveEventHub {
  private readonly subscribers = new Map<string, Set<LiveSubscriber>>();
  private readonly listening = new Set<string>();
  private readonly lock = new Mutex();
  private client: pg.Client | null = null;

  constructor(
    private readonly opts: {
      /** Where to listen: the API's own database settings, read when the first stream opens. */
      connection: () => pg.ClientConfig;
      log: Logger;
      /** Streams one business may hold open on this process at once. */
      maxStreamsPerBusiness: number;
    },
  ) {}

  streams(businessId: string): number {
    return this.subscribers.get(businessId)?.size ?? 0;
  }

  /**
   * Adds a stream; resolves once its business's channel is listened to, so every event
   * committed after that reaches it. Throws TooManyStreams over the cap, or the connection's error.
   */
  async subscribe(businessId: string, subscriber: LiveSubscriber): Promise<() => void> {
    if (!isUuid(businessId)) throw new Error('subscribe: the business id must be a uuid');
    const set = this.subscribers.get(businessId) ?? new Set();
    if (set.size >= this.opts.maxStreamsPerBusiness) throw new TooManyStreams();
    set.add(subscriber);
    this.subscribers.set(businessId, set);
    const unsubscribe = () => {
      const current = this.subscribers.get(businessId);
      if (!current?.delete(subscriber)) return;
      if (current.size === 0) this.subscribers.delete(businessId);
      void this.reconcile().catch(() => {});
    };
    try {
      await this.reconcile();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** Ends every stream and the listening connection (the API is shutting down). */
  async close(): Promise<void> {
    const all = [...this.subscribers.values()].flatMap((set) => [...set]);
    this.subscribers.clear();
    for (const subscriber of all) subscriber.end();
    await this.reconcile();
  }

  /** Makes the connection listen to exactly the channels of the businesses with streams; none: no connection. */
  private reconcile(): Promise<void> {
    return this.lock.runExclusive(async () => {
      const wanted = new Map([...this.subscribers.keys()].map((id) => [liveChannel(id), id]));
      if (wanted.size === 0) {
        const client = this.client;
        this.client = null;
        this.listening.clear();
        await client?.end().catch(() => {});
        return;
      }
      const client = this.client ?? (await this.connect());
      for (const channel of wanted.keys()) {
        if (this.listening.has(channel)) continue;
        await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
        this.listening.add(channel);
      }
      for (const channel of [...this.listening]) {
        if (wanted.has(channel)) continue;
        await client.query(`UNLISTEN ${client.escapeIdentifier(channel)}`);
        this.listening.delete(channel);
      }
    });
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.opts.connection());
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      this.listening.clear();
      this.opts.log.warn({ err: err?.message }, 'live events: the listening connection was lost');
      // Events may have been missed meanwhile: the streams end, and their clients reconnect and refetch.
      const all = [...this.subscribers.values()].flatMap((set) => [...set]);
      this.subscribers.clear();
      for (const subscriber of all) subscriber.end();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => this.dispatch(message.channel, message.payload));
    try {
      await client.connect();
    } catch (err) {
      client.removeAllListeners();
      await client.end().catch(() => {});
      throw err;
    }
    this.client = client;
    return client;
  }

  private dispatch(channel: string, payload: string | undefined) {
    for (const [businessId, set] of this.subscribers) {
      if (liveChannel(businessId) !== channel) continue;
      const event = parseEvent(payload);
      if (!event) return;
      for (const subscriber of set) subscriber.send(event);
      return;
    }
  }
}

/** Only the documented fields pass: whatever else a payload held never reaches a client. */
export function parseEvent(payload: string | undefined): LiveEvent | null {
  try {
    const raw = JSON.parse(payload ?? '') as Record<string, unknown>;
    const id = (v: unknown) => (typeof v === 'string' && isUuid(v) ? v : null);
    if (raw.event === 'lead') {
      const leadId = id(raw.leadId);
      const kind = raw.kind;
      if (!leadId || (kind !== 'captured' && kind !== 'message' && kind !== 'status')) return null;
      return { event: 'lead', data: { leadId, kind } };
    }
    if (raw.event === 'alert') {
      const alertId = id(raw.alertId);
      if (!alertId || typeof raw.kind !== 'string') return null;
      return { event: 'alert', data: { alertId, kind: raw.kind, leadId: id(raw.leadId) } };
    }
  } catch {
    // Not ours: ignored.
  }
  return null;
}
