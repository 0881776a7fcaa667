import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import {
  auditImport,
  claimImport,
  existingPhones,
  findImportByDigest,
  insertCustomerAppointments,
  insertCustomerConsents,
  insertCustomers,
  recordImportCounts,
  type NewCustomer,
} from '../../db/customers';
import type { Db } from '../../db/prisma';
import { withTenantSql, type SqlClient } from '../../db/sql';
import { withTenant } from '../../db/tenant';
import type { Keyring } from '../../domain/crypto/keyring';
import { AppError } from '../app-error';
import type { Actor } from '../audit-log';
import type { RowProblem } from './import-row';
import { planImport, type PlannedCustomer } from './plan-import';
import { readImportFile } from './read-import-file';

/** Rows per INSERT statement: large enough to amortise round trips, small enough for one statement's parameters. */
const BATCH = 1000;
/** Phones per duplicate lookup. */
const LOOKUP_BATCH = 5000;
/** Per-row problems listed in an answer; the counts cover all of them. */
export const MAX_LISTED_PROBLEMS = 1000;
const KEYRING_PURPOSE = 'customer-import';

export interface ImportCounts {
  /** Data rows in the file. */
  rows: number;
  /** Rows with at least one problem: not imported. */
  rowsWithProblems: number;
  customers: number;
  appointments: number;
  textable: number;
  notTextable: number;
}

export interface ImportResult {
  mode: 'preview' | 'import';
  importId: string | null;
  /** An earlier upload with the same Idempotency-Key or the same bytes: nothing was imported again. */
  replayed: boolean;
  counts: ImportCounts;
  problems: RowProblem[];
  problemsListed: number;
}

export interface ImportCustomersDeps {
  db: Db;
  keyring: Keyring;
  now: () => Date;
}

export interface ImportCustomersOptions {
  actor: Actor;
  mode: 'preview' | 'import';
  body: Readable;
  limitBytes: number;
  idempotencyKey?: string;
}

/**
 * A CSV of customers: `preview` reads and checks every row and answers the problems by row
 * and column; `import` writes the rows without problems as customers with their past
 * appointments and consent records, in one transaction (all or nothing). No workflow
 * starts and nothing is sent: an imported customer is texted by no one, and is textable
 * only with a consent record (text, time, how obtained).
 */
export async function importCustomers(deps: ImportCustomersDeps, opts: ImportCustomersOptions): Promise<ImportResult> {
  const { actor } = opts;
  const now = deps.now();
  const business = await withTenant(deps.db, actor.businessId, (tx) =>
    tx.business.findUniqueOrThrow({
      where: { id: actor.businessId },
      select: { timeZone: true, smsNumber: true, contactPhone: true },
    }),
  );
  const ctx = { country: countryOf(business.smsNumber ?? business.contactPhone), zone: business.timeZone, now };
  const file = await readImportFile(opts.body, { limitBytes: opts.limitBytes, ctx });

  const contentHash = deps.keyring.hmac(KEYRING_PURPOSE, `${actor.businessId}\ncontent\n${file.sha256}`);
  const digests = opts.idempotencyKey
    ? deps.keyring.hmacs(KEYRING_PURPOSE, `${actor.businessId}\nkey\n${opts.idempotencyKey}`)
    : deps.keyring.hmacs(KEYRING_PURPOSE, `${actor.businessId}\ncontent\n${file.sha256}`);

  return withTenantSql(deps.db, actor.businessId, async (c) => {
    if (opts.mode === 'import') {
      const earlier = await findEarlier(c, digests);
      if (earlier) {
        if (
          opts.idempotencyKey &&
          !deps.keyring.hmacMatches(
            KEYRING_PURPOSE,
            `${actor.businessId}\ncontent\n${file.sha256}`,
            earlier.content_hash,
          )
        )
          throw new AppError('idempotency_key_reused', 'Idempotency-Key: was used with another file');
        return replay(earlier);
      }
    }
    const existing = await lookUpExisting(c, [...new Set(file.valid.map((r) => r.phone))]);
    const plan = planImport(file.valid, existing);
    const problems = [...file.problems, ...plan.problems].sort((a, b) => a.row - b.row);
    const counts = countsOf(file.rows, problems, plan.customers);
    const audit = { businessId: actor.businessId, keyId: actor.keyId, role: actor.role, ip: actor.ip };

    if (opts.mode === 'preview') {
      await auditImport(c, { ...audit, action: 'read', importId: null });
      return result('preview', null, false, counts, problems);
    }
    const importId = randomUUID();
    if (
      !(await claimImport(c, {
        id: importId,
        businessId: actor.businessId,
        digest: digests[0]!,
        contentHash,
        keyId: actor.keyId,
        at: now,
      }))
    ) {
      // A concurrent upload of the same file (or key) committed first: answer with it.
      return replay((await findEarlier(c, digests))!);
    }
    await writeCustomers(c, { businessId: actor.businessId, importId, at: now, customers: plan.customers });
    await recordImportCounts(c, importId, { ...counts });
    await auditImport(c, { ...audit, action: 'create', importId });
    return result('import', importId, false, counts, problems);
  });
}

function result(
  mode: ImportResult['mode'],
  importId: string | null,
  replayed: boolean,
  counts: ImportCounts,
  problems: RowProblem[],
): ImportResult {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  return { mode, importId, replayed, counts, problems: listed, problemsListed: listed.length };
}

function replay(earlier: { id: string; counts: Record<string, number> }): ImportResult {
  // The earlier import's counts; its per-row problems were answered to the first upload.
  return result('import', earlier.id, true, earlier.counts as unknown as ImportCounts, []);
}

async function findEarlier(c: SqlClient, digests: string[]) {
  for (const digest of digests) {
    const found = await findImportByDigest(c, digest);
    if (found) return found;
  }
  return null;
}

async function lookUpExisting(c: SqlClient, phones: string[]) {
  const leads = new Set<string>();
  const customers = new Set<string>();
  for (let i = 0; i < phones.length; i += LOOKUP_BATCH) {
    const found = await existingPhones(c, phones.slice(i, i + LOOKUP_BATCH));
    found.leads.forEach((p) => leads.add(p));
    found.customers.forEach((p) => customers.add(p));
  }
  return { leads, customers };
}

function countsOf(rows: number, problems: RowProblem[], customers: PlannedCustomer[]): ImportCounts {
  const textable = customers.filter((c) => c.consent).length;
  return {
    rows,
    rowsWithProblems: new Set(problems.map((p) => p.row)).size,
    customers: customers.length,
    appointments: customers.reduce((n, c) => n + c.appointments.length, 0),
    textable,
    notTextable: customers.length - textable,
  };
}

async function writeCustomers(
  c: SqlClient,
  input: { businessId: string; importId: string; at: Date; customers: PlannedCustomer[] },
) {
  for (let i = 0; i < input.customers.length; i += BATCH) {
    const batch = input.customers.slice(i, i + BATCH).map((p) => ({ ...p, id: randomUUID() }));
    const rows: NewCustomer[] = batch.map((p) => ({
      id: p.id,
      name: p.name,
      phone: p.phone,
      email: p.email,
      notes: p.notes,
      textable: p.consent !== null,
    }));
    await insertCustomers(c, { businessId: input.businessId, importId: input.importId, at: input.at, customers: rows });
    await insertCustomerConsents(c, {
      businessId: input.businessId,
      consents: batch.filter((p) => p.consent).map((p) => ({ customerId: p.id, ...p.consent! })),
    });
    await insertCustomerAppointments(c, {
      businessId: input.businessId,
      appointments: batch.flatMap((p) => p.appointments.map((a) => ({ customerId: p.id, ...a }))),
    });
  }
}

/** The country the business texts from: numbers written without a country code are read as its own. */
function countryOf(phone: string | null): CountryCode {
  return (phone && parsePhoneNumberFromString(phone)?.country) || 'US';
}
