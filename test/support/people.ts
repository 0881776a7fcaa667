import type { Express } from 'express';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { createApp, type AppOptions } from '../../api/app';
import { hashPassword } from '../../api/auth/passwords';
import type { Db } from '../../db/prisma';
import type { PersonRole } from '../../domain/roles';
import { createLogger } from '../../logging/logger';

/** A person's account as an invitation would have made it (bcrypt-hashed), written with the owner connection. */
export async function createUser(
  db: Db,
  businessId: string,
  person: { email: string; password: string; role: PersonRole; name?: string },
): Promise<{ id: string }> {
  const user = await db.user.create({
    data: {
      businessId,
      email: person.email.trim().toLowerCase(),
      name: person.name ?? 'Test Person',
      role: person.role,
      passwordHash: await hashPassword(person.password),
    },
  });
  return { id: user.id };
}

/** Signs in through the API: the session cookie (`leadflow_session=…`) and the CSRF token for changes. */
export async function signIn(
  app: Express | string,
  email: string,
  password: string,
): Promise<{ cookie: string; csrfToken: string; userId: string }> {
  const res = await request(app).post('/v1/auth/sign-in').send({ email, password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    cookie: sessionCookieOf(res.headers['set-cookie']),
    csrfToken: res.body.csrfToken,
    userId: res.body.user.id,
  };
}

export function sessionCookieOf(setCookie: string | string[] | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const found = all.find((c) => c.startsWith('leadflow_session='));
  if (!found) throw new Error('no leadflow_session cookie in the answer');
  return found.split(';')[0]!;
}

/** The API alone, on a test database, for routes that need no workflow (Temporal unreachable answers 503). */
export function apiWithoutTemporal(db: Db, opts: Partial<AppOptions> = {}) {
  return createApp({
    db,
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    log: createLogger({ name: 'test', level: 'silent' }),
    temporalTimeoutMs: 1000,
    ...opts,
  });
}
