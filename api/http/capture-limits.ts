import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { clientAddress } from './client-address';
import { AppError } from './errors';

export interface CaptureLimits {
  /** Captures per minute through one publishable widget key. */
  perWidgetKey: number;
  /** Widget captures per minute from one client address (a bot hammering a site's form). */
  perAddress: number;
  /** Captures per minute through one server-side key (owner, operator). */
  perServerKey: number;
}

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { perWidgetKey: 120, perAddress: 10, perServerKey: 30_000 };

/**
 * Capture rate limits, per replica (in memory: a capture must not depend on another
 * store being up). A widget key is public, so it is limited both as a key and per
 * visitor address.
 */
export function captureLimits(limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS): RequestHandler {
  const widgetKey = new RateLimiterMemory({ points: limits.perWidgetKey, duration: 60, keyPrefix: 'widget-key' });
  const address = new RateLimiterMemory({ points: limits.perAddress, duration: 60, keyPrefix: 'widget-ip' });
  const serverKey = new RateLimiterMemory({ points: limits.perServerKey, duration: 60, keyPrefix: 'server-key' });
  return async (req, _res, next) => {
    const auth = req.auth!;
    try {
      if (auth.role === 'widget') {
        await address.consume(clientAddress(req));
        await widgetKey.consume(auth.keyId);
      } else {
        await serverKey.consume(auth.keyId);
      }
      next();
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) return next(err);
      next(
        new AppError(
          'rate_limited',
          'too many captures; retry later',
          null,
          Math.max(1, Math.ceil(err.msBeforeNext / 1000)),
        ),
      );
    }
  };
}
