import pg from 'pg';

/**
 * The runtime (API and worker) logs in as its own role: not the owner of the tables, not
 * a superuser, a member of leadflow_app (row-level security applies) and, without
 * inheriting its privileges, of leadflow_compliance (reached only by SET ROLE, for
 * explicit cross-tenant jobs). Needs PostgreSQL 16 or newer. The local stack and the tests
 * create it here; production creates it once by hand (README, "Database roles").
 */
export async function ensureRuntimeLogin(opts: { ownerUrl: string; role: string; password: string }): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(opts.role)) throw new Error(`invalid role name: ${opts.role}`);
  // Roles and their grants are cluster-wide catalog rows: two databases of one cluster (parallel
  // test files, two replicas starting) may update the same row at once, and PostgreSQL then
  // refuses one with "tuple concurrently updated" (XX000). The statements are idempotent: retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await grantRuntimeLogin(opts);
      break;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 23505: two CREATE ROLE of the same name at once (pg_authid's unique index).
      const concurrent = code === '23505' || (code === 'XX000' && /concurrently/.test((err as Error).message));
      if (!concurrent || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
  const url = new URL(opts.ownerUrl);
  url.username = opts.role;
  url.password = opts.password;
  return url.toString();
}

async function grantRuntimeLogin(opts: { ownerUrl: string; role: string; password: string }): Promise<void> {
  const client = new pg.Client({ connectionString: opts.ownerUrl });
  await client.connect();
  try {
    const password = client.escapeLiteral(opts.password);
    try {
      await client.query(`CREATE ROLE ${opts.role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ${password}`);
    } catch (err) {
      // Roles are cluster-wide: another database (or a parallel test) may have made it.
      if ((err as { code?: string }).code !== '42710') throw err;
      await client.query(`ALTER ROLE ${opts.role} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ${password}`);
    }
    await client.query(`GRANT leadflow_app TO ${opts.role}`);
    // Compliance powers only through an explicit SET ROLE, never by inheritance
    // (PostgreSQL 16+: membership options).
    await client.query(`GRANT leadflow_compliance TO ${opts.role} WITH INHERIT FALSE, SET TRUE`);
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(rows[0]!.db)} TO ${opts.role}`);
  } finally {
    await client.end();
  }
}
