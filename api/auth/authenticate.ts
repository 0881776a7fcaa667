import type { Request, RequestHandler } from 'express';
import type { Db } from '../../db/prisma';
import { findApiKeyByLookup } from '../../db/tenant';
import { AppError } from '../http/errors';
import { hashApiKey, hashesEqual, parseApiKey, type ApiKeyRole } from './api-keys';

export interface AuthContext {
  keyId: string;
  businessId: string;
  role: ApiKeyRole;
}

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

function presentedKey(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return req.get('x-api-key')?.trim();
}

/** Resolves the API key to its business and role; every failure looks the same to the caller. */
export function authenticate({ db }: { db: Db }): RequestHandler {
  return async (req, _res, next) => {
    const key = presentedKey(req);
    if (!key) return next(new AppError('unauthorized', 'an API key is required (Authorization: Bearer <key>)'));
    const parsed = parseApiKey(key);
    const row = parsed ? await findApiKeyByLookup(db, parsed.lookup) : null;
    if (!row || row.revoked_at || !hashesEqual(row.hash, hashApiKey(key))) {
      return next(new AppError('unauthorized', 'the API key is not valid'));
    }
    req.auth = { keyId: row.id, businessId: row.business_id, role: row.role as ApiKeyRole };
    next();
  };
}

export function requireRole(...roles: ApiKeyRole[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.auth) return next(new AppError('unauthorized', 'an API key is required'));
    if (!roles.includes(req.auth.role)) {
      return next(new AppError('forbidden', `this route needs a key with role ${roles.join(' or ')}`));
    }
    next();
  };
}
