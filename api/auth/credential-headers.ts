import type { RequestHandler } from 'express';
import { AppError } from '../http/errors';

const refuse = (field: string, reason: string) =>
  new AppError('bad_request', `${field}: ${reason}`, [{ field, reason }]);

/**
 * Credentials arrive one way: one `Authorization` header. Node keeps only the first of
 * several, so a proxy and the API could each act on a different one: two are refused.
 * `X-API-Key` is not accepted (it is not in the API's contract), and saying so beats
 * answering as if no key had been sent.
 */
export const credentialHeaders: RequestHandler = (req, _res, next) => {
  let authorization = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]!.toLowerCase() === 'authorization') authorization += 1;
  if (authorization > 1) return next(refuse('Authorization', 'send one Authorization header, not several'));
  if (req.get('x-api-key') !== undefined)
    return next(refuse('X-API-Key', 'is not accepted: send the key as Authorization: Bearer <key>'));
  next();
};
