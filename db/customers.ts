import type { Prisma } from '@prisma/client';
import type { SqlClient } from './sql';
import type { Tx } from './tenant';

/**
 * Imported customers in plain SQL, inside the caller's tenant transaction (withTenantSql):
 * an import writes thousands of rows, one statement per batch and table (unnest of arrays),
 * where Prisma would send a statement per row.
 */

export interface CustomerImportRow {
  id: string;
  digest: string;
  content_hash: string;
  counts: Record<string, number>;
  created_at: Date;
}

/** Claims the digest for a new import; null when an import with it exists (its row is returned by findImportByDigest). */
export async function claimImport(
  c: SqlClient,
  input: { id: string; businessId: string; digest: string; contentHash: string; keyId: string | null; at: Date },
): Promise<boolean> {
  // ON CONFLICT waits for a concurrent import of the same digest to commit, then does nothing.
  const res = await c.query(
    `INSERT INTO customer_imports (id, business_id, digest, content_hash, created_by_key_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (business_id, digest) DO NOTHING`,
    [input.id, input.businessId, input.digest, input.contentHash, input.keyId, input.at],
  );
  return res.rowCount === 1;
}

export async function findImportByDigest(c: SqlClient, digest: string): Promise<CustomerImportRow | null> {
  const res = await c.query<CustomerImportRow>(
    'SELECT id, digest, content_hash, counts, created_at FROM customer_imports WHERE digest = $1',
    [digest],
  );
  return res.rows[0] ?? null;
}

export async function findImport(c: SqlClient, id: string): Promise<CustomerImportRow | null> {
  const res = await c.query<CustomerImportRow>(
    'SELECT id, digest, content_hash, counts, created_at FROM customer_imports WHERE id = $1',
    [id],
  );
  return res.rows[0] ?? null;
}

export async function recordImportCounts(c: SqlClient, id: string, counts: Record<string, number>): Promise<void> {
  await c.query('UPDATE customer_imports SET counts = $2 WHERE id = $1', [id, JSON.stringify(counts)]);
}

/** Which of these phones already belong to a lead (not erased) or an imported customer of the business. */
export async function existingPhones(
  c: SqlClient,
  phones: string[],
): Promise<{ leads: Set<string>; customers: Set<string> }> {
  const leads = await c.query<{ phone: string }>(
    'SELECT DISTINCT phone FROM leads WHERE phone = ANY($1::text[]) AND erased_at IS NULL',
    [phones],
  );
  const customers = await c.query<{ phone: string }>(
    'SELECT DISTINCT phone FROM customers WHERE phone = ANY($1::text[])',
    [phones],
  );
  return { leads: new Set(leads.rows.map((r) => r.phone)), customers: new Set(customers.rows.map((r) => r.phone)) };
}

export interface NewCustomer {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  notes: string | null;
  textable: boolean;
}

export async function insertCustomers(
  c: SqlClient,
  input: { businessId: string; importId: string; at: Date; customers: NewCustomer[] },
): Promise<void> {
  const cs = input.customers;
  if (cs.length === 0) return;
  await c.query(
    `INSERT INTO customers (id, business_id, import_id, name, phone, email, notes, textable, created_at)
     SELECT id, $1, $2, name, phone, email, notes, textable, $3
       FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[])
         AS t(id, name, phone, email, notes, textable)`,
    [
      input.businessId,
      input.importId,
      input.at,
      cs.map((x) => x.id),
      cs.map((x) => x.name),
      cs.map((x) => x.phone),
      cs.map((x) => x.email),
      cs.map((x) => x.notes),
      cs.map((x) => x.textable),
    ],
  );
}

export async function insertCustomerConsents(
  c: SqlClient,
  input: {
    businessId: string;
    consents: Array<{ customerId: string; text: string; obtainedAt: Date; method: string }>;
  },
): Promise<void> {
  const cs = input.consents;
  if (cs.length === 0) return;
  await c.query(
    `INSERT INTO customer_consent_records (id, business_id, customer_id, consent_text, captured_at, method)
     SELECT gen_random_uuid(), $1, customer_id, consent_text, captured_at, method
       FROM unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::text[]) AS t(customer_id, consent_text, captured_at, method)`,
    [
      input.businessId,
      cs.map((x) => x.customerId),
      cs.map((x) => x.text),
      cs.map((x) => x.obtainedAt),
      cs.map((x) => x.method),
    ],
  );
}

export async function insertCustomerAppointments(
  c: SqlClient,
  input: { businessId: string; appointments: Array<{ customerId: string; at: Date; service: string | null }> },
): Promise<void> {
  const as = input.appointments;
  if (as.length === 0) return;
  await c.query(
    `INSERT INTO customer_appointments (id, business_id, customer_id, starts_at, service)
     SELECT gen_random_uuid(), $1, customer_id, starts_at, service
       FROM unnest($2::uuid[], $3::timestamptz[], $4::text[]) AS t(customer_id, starts_at, service)`,
    [input.businessId, as.map((x) => x.customerId), as.map((x) => x.at), as.map((x) => x.service)],
  );
}

/** The audit row of an import or preview (ids only), in the same transaction as the work. */
export async function auditImport(
  c: SqlClient,
  input: {
    businessId: string;
    keyId: string;
    role: string;
    ip: string;
    action: 'create' | 'read';
    importId: string | null;
  },
): Promise<void> {
  await c.query(
    `INSERT INTO audit_log (business_id, actor_key_id, actor_role, action, entity, entity_id, ip, at)
     VALUES ($1, $2, $3, $4, 'customer_import', $5, $6, now())`,
    [input.businessId, input.keyId, input.role, input.action, input.importId, input.ip],
  );
}

/**
 * Erasure of imported customers who are the person: the same phone, or the same email
 * address (any case). Their consent records and appointments go with them (cascade).
 * Counts per table, for the deletion receipt.
 */
export async function eraseImportedCustomers(
  tx: Tx,
  person: { phone: string | null; email: string | null },
): Promise<{ imported_customers: number; customer_consent_records: number; customer_appointments: number }> {
  const or: Prisma.CustomerWhereInput[] = [];
  if (person.phone) or.push({ phone: person.phone });
  if (person.email) or.push({ email: { equals: person.email, mode: 'insensitive' } });
  if (or.length === 0) return { imported_customers: 0, customer_consent_records: 0, customer_appointments: 0 };
  const ids = (await tx.customer.findMany({ where: { OR: or }, select: { id: true } })).map((c) => c.id);
  if (ids.length === 0) return { imported_customers: 0, customer_consent_records: 0, customer_appointments: 0 };
  const where = { customerId: { in: ids } };
  const customer_consent_records = (await tx.customerConsentRecord.deleteMany({ where })).count;
  const customer_appointments = (await tx.customerAppointment.deleteMany({ where })).count;
  const imported_customers = (await tx.customer.deleteMany({ where: { id: { in: ids } } })).count;
  return { imported_customers, customer_consent_records, customer_appointments };
}
