import { isIP } from 'node:net';
import type { Request } from 'express';

/**
 * The client's address as the trusted proxies (TRUST_PROXY) report it. Only an IP address
 * counts: a forwarded value that is not one (a port, a name, garbage) is ignored for the
 * address of the hop that sent it.
 */
export function clientAddress(req: Request): string {
  for (const candidate of [req.ip, req.socket.remoteAddress]) if (candidate && isIP(candidate)) return candidate;
  return 'unknown';
}
