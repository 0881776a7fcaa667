import { z } from 'zod';

/** Every id leadflow issues is a UUID (Postgres `gen_random_uuid()`, `crypto.randomUUID()`). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Anything that is not a UUID names nothing: a 404 or a usage error, never a database error. */
export const isUuid = (value: string): boolean => UUID.test(value);

/** The same rule at a zod boundary. */
export const ZUuid = z.string().regex(UUID, 'must be an id (a UUID)');
