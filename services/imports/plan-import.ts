import type { ConsentRecordInput, ImportRow, RowProblem } from './import-row';

/** One person of the file: the first row with their phone, and every appointment their rows carry. */
export interface PlannedCustomer {
  row: number;
  name: string;
  phone: string;
  email: string | null;
  notes: string | null;
  consent: ConsentRecordInput | null;
  appointments: Array<{ at: Date; service: string | null }>;
}

export interface ImportPlan {
  customers: PlannedCustomer[];
  problems: RowProblem[];
}

/**
 * Rows that are the same person become one customer. A later row with the same phone is
 * that customer's further appointment when it carries one, under the same name, at another
 * time (appointment history is usually one row per visit); otherwise it is a duplicate of
 * the first row. A phone that already belongs to a lead or a customer of the business is a
 * duplicate too: the import adds people, it never overwrites or merges into existing ones.
 */
export function planImport(rows: ImportRow[], existing: { leads: Set<string>; customers: Set<string> }): ImportPlan {
  const byPhone = new Map<string, PlannedCustomer>();
  const problems: RowProblem[] = [];
  for (const r of rows) {
    if (existing.leads.has(r.phone)) {
      problems.push({ row: r.row, field: 'phone', reason: 'is already a lead of the business (duplicate)' });
      continue;
    }
    if (existing.customers.has(r.phone)) {
      problems.push({ row: r.row, field: 'phone', reason: 'is already an imported customer (duplicate)' });
      continue;
    }
    const first = byPhone.get(r.phone);
    if (!first) {
      byPhone.set(r.phone, {
        row: r.row,
        name: r.name,
        phone: r.phone,
        email: r.email,
        notes: r.notes,
        consent: r.consent,
        appointments: r.appointment ? [r.appointment] : [],
      });
      continue;
    }
    const sameName = first.name.toLowerCase() === r.name.toLowerCase();
    const newVisit =
      r.appointment !== null && !first.appointments.some((a) => a.at.getTime() === r.appointment!.at.getTime());
    if (!sameName || !newVisit) {
      problems.push({ row: r.row, field: 'phone', reason: `duplicate of row ${first.row}` });
      continue;
    }
    first.appointments.push(r.appointment!);
    first.consent ??= r.consent;
  }
  return { customers: [...byPhone.values()], problems };
}
