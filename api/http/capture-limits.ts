import { isIP } from 'node:net';
import type { Request, RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { poolOf, type Db } from '../../db/prisma';
import { clientAddress } from './client-address';
import { AppError } from './errors';

export interface CaptureLimits {
  /** Accepted captures per minute through one publishable widget key, all visitors together. */
  perWidgetKey: number;
  /** Widget requests per minute from one visitor (an IPv4 address, an IPv6 /64), valid or not. */
  perAddress: number;
  /** Widget requests per minute from one network (IPv4 /24, IPv6 /48), valid or not. */
  perNetwork?: number;
  /** Captures per minute through one server-side key (owner, operator). */
  perServerKey: number;
}

export const DEFAULT_CAPTURE_LIMITS: Required<CaptureLimits> = {
  perWidgetKey: 1200,
  perAddress: 10,
  perNetwork: 60,
  perServerKey: 30_000,
};

/** The groups a widget visitor is counted in: one host (an IPv6 host may use its whole /64) and its network. */
export function visitorOf(ip: string): { address: string; network: string } {
  const groups = isIP(ip) === 6 ? ipv6Groups(ip) : null;
  // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
  const mapped = groups && groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  const v4 = mapped ? [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.') : ip;
  if (isIP(v4) === 4) return { address: v4, network: `${v4.split('.').slice(0, 3).join('.')}.0/24` };
  if (!groups) return { address: ip, network: ip };
  const hex = groups.map((g) => g.toString(16));
  return { address: `${hex.slice(0, 4).join(':')}::/64`, network: `${hex.slice(0, 3).join(':')}::/48` };
}

function ipv6Groups(ip: string): number[] {
  let text = ip.split('%')[0]!.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const before = head ? head.split(':') : [];
  const after = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - before.length - after.length).fill('0');
  return [...before, ...zeros, ...after].map((g) => parseInt(g, 16));
}

/**
 * A limit counted in Postgres, so it holds across API replicas. If Postgres cannot be
 * reached, the same limit is counted in this process instead: a capture does not depend on
 * the counter's store (captures survive a short database outage).
 */
function sharedLimiter(db: Db, keyPrefix: string, points: number) {
  return new RateLimiterPostgres({
    storeClient: poolOf(db),
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix,
    points,
    duration: 60,
    // A flood from one sender is then refused without a query until its minute is over.
    inMemoryBlockOnConsumed: points + 1,
    insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: 60 }),
  });
}

const tooMany = (res: RateLimiterRes) =>
  new AppError('rate_limited', 'too many captures; retry later', null, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));

const WIDGET_BUDGET = Symbol('widget capture budget');

type WithBudget = Request & { [WIDGET_BUDGET]?: () => Promise<void> };

/**
 * Capture rate limits. A publishable widget key is public, so anyone can send with it:
 *
 * 1. Every widget request counts against its sender first: 10 a minute per visitor (an IPv4
 *    address or an IPv6 /64) and 60 per network (IPv4 /24, IPv6 /48), per widget key.
 *    Invalid requests count here, against their sender only.
 * 2. The key's shared budget (1,200 a minute) counts accepted captures only: the capture
 *    route spends it (spendWidgetBudget) once the request is valid. Exhausting it takes
 *    valid captures from more than a hundred networks, each one a lead the business sees.
 *
 * Widget counts live in Postgres (table rate_limits), shared by every API replica. Server
 * keys (owner, operator) have one generous per-process limit against a runaway integration.
 */
export function captureLimits(deps: { db: Db; settings: { captureLimits?: CaptureLimits } }): RequestHandler {
  const limits = { ...DEFAULT_CAPTURE_LIMITS, ...deps.settings.captureLimits };
  const perAddress = sharedLimiter(deps.db, 'widget-address', limits.perAddress);
  const perNetwork = sharedLimiter(deps.db, 'widget-network', limits.perNetwork);
  const perKey = sharedLimiter(deps.db, 'widget-key', limits.perWidgetKey);
  const serverKey = new RateLimiterMemory({ points: limits.perServerKey, duration: 60, keyPrefix: 'server-key' });
  return async (req: WithBudget, _res, next) => {
    const auth = req.auth!;
    try {
      if (auth.role === 'widget') {
        const visitor = visitorOf(clientAddress(req));
        await perAddress.consume(`${auth.keyId}|${visitor.address}`);
        await perNetwork.consume(`${auth.keyId}|${visitor.network}`);
        req[WIDGET_BUDGET] = async () => {
          await perKey.consume(auth.keyId);
        };
      } else {
        await serverKey.consume(auth.keyId);
      }
      next();
    } catch (err) {
      next(err instanceof RateLimiterRes ? tooMany(err) : err);
    }
  };
}

/** Spends one capture of the widget key's shared budget; the capture route calls it once the request is valid. */
export async function spendWidgetBudget(req: Request): Promise<void> {
  try {
    await (req as WithBudget)[WIDGET_BUDGET]?.();
  } catch (err) {
    throw err instanceof RateLimiterRes ? tooMany(err) : err;
  }
}
