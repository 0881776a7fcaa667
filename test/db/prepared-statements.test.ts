import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type Db } from '../../db/prisma';
import { pooled, prepared, sql, withTenantSql } from '../../db/sql';
import { freshDatabase, type TestDatabase } from '../support/database';

let database: TestDatabase;
// One connection, so every statement below runs on the same one.
let db: Db;

beforeAll(async () => {
  database = await freshDatabase();
  db = createPrisma({ databaseUrl: database.url, max: 1 });
  await sql(db, 'CREATE FUNCTION t_shape() RETURNS TABLE (a int) LANGUAGE sql AS $$ SELECT 1 $$');
});

afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const preparedHere = async () =>
  (
    await withTenantSql(db, '00000000-0000-4000-8000-000000000000', (c) =>
      c.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements'),
    )
  ).rows;

describe('prepared statements (db/sql.ts)', () => {
  it('names a text by its hash, the same name every time, another for another text', () => {
    const one = prepared('SELECT 1', []);
    expect(one.name).toMatch(/^lf_[0-9a-f]{32}$/);
    expect(prepared('SELECT 1', [2]).name).toBe(one.name);
    expect(prepared('SELECT 2', []).name).not.toBe(one.name);
  });

  it('prepares a statement once on a connection and runs it again by name', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    for (const n of [1, 2, 3]) expect(await sql<{ n: number }>(db, text, [n])).toEqual([{ n: n + 1 }]);
    const mine = (await preparedHere()).filter((p) => p.statement === text);
    expect(mine).toEqual([{ name: prepared(text, []).name, statement: text }]);
  });

  it('drops a connection whose prepared plan a migration made stale, so the next call succeeds', async () => {
    const text = 'SELECT * FROM t_shape()';
    expect(await sql(db, text)).toEqual([{ a: 1 }]);
    // A release that changes the function's columns, while the connection holds its plan.
    await withTenantSql(db, '00000000-0000-4000-8000-000000000000', (c) =>
      c.query(
        'DROP FUNCTION t_shape(); CREATE FUNCTION t_shape() RETURNS TABLE (a int, b int) LANGUAGE sql AS $$ SELECT 1, 2 $$',
      ),
    );
    await expect(sql(db, text)).rejects.toThrow(/cached plan must not change result type/);
    // The pool's one connection was replaced: the same statement is prepared afresh.
    expect(await sql(db, text)).toEqual([{ a: 1, b: 2 }]);
    expect(await pooled(db).query(prepared(text, []))).toMatchObject({ rows: [{ a: 1, b: 2 }] });
  });
});
