const round2 = (n: number) => Number(n.toFixed(2));

interface Ctx {
  apiUrl: string;
  key: string;
}

export interface ImportBenchResult {
  rows: number;
  bytes: number;
  customers: number;
  appointments: number;
  previewSeconds: number;
  importSeconds: number;
  importRowsPerSecond: number;
  /** The same file again: answered from the first import, nothing written. */
  replaySeconds: number;
}

const CONSENT = 'I agree to receive texts from Rivera Plumbing about my appointments. Reply STOP to opt out.';

/**
 * A realistic customer file: every row a past visit, every fifth person with a second visit
 * on a row of its own, half of them with a consent record, notes with commas and quotes.
 */
export function customerFile(rows: number): string {
  const lines = [
    'name,phone,email,consent_text,consent_obtained_at,consent_method,appointment_at,appointment_service,notes',
  ];
  let person = 0;
  while (lines.length - 1 < rows) {
    person += 1;
    const phone = `(617) ${200 + Math.floor(person / 10_000)}-${String(person % 10_000).padStart(4, '0')}`;
    const consent = person % 2 === 0 ? `"${CONSENT}",2024-0${1 + (person % 9)}-15 10:00,paper form` : ',,';
    const visit = (month: number) =>
      `Customer ${person},${phone},c${person}@example.org,${consent},2025-0${month}-${String(1 + (person % 28)).padStart(2, '0')} 09:30,Drain cleaning,"Gate code ${person}, ""side door"""`;
    lines.push(visit(1 + (person % 6)));
    if (person % 5 === 0 && lines.length - 1 < rows) lines.push(visit(7 + (person % 3)));
  }
  return `${lines.join('\n')}\n`;
}

async function post(ctx: Ctx, mode: string, body: string) {
  const started = performance.now();
  const res = await fetch(`${ctx.apiUrl}/v1/imports?mode=${mode}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.key}`, 'content-type': 'text/csv' },
    body,
  });
  const json = (await res.json()) as { counts?: { customers: number; appointments: number; rowsWithProblems: number } };
  const seconds = (performance.now() - started) / 1000;
  if (res.status >= 300 || !json.counts) throw new Error(`POST /v1/imports?mode=${mode} answered ${res.status}`);
  if (json.counts.rowsWithProblems > 0) throw new Error(`the bench file has ${json.counts.rowsWithProblems} bad rows`);
  return { seconds, counts: json.counts };
}

/** POST /v1/imports of one file through the running API: preview, import, and the same upload again. */
export async function importBenchmark(
  ctx: Ctx,
  { rows, say }: { rows: number; say: (line: string) => void },
): Promise<ImportBenchResult> {
  const file = customerFile(rows);
  const preview = await post(ctx, 'preview', file);
  say(`  preview of ${rows} rows: ${preview.seconds.toFixed(2)} s`);
  const imported = await post(ctx, 'import', file);
  say(`  import: ${imported.seconds.toFixed(2)} s (${Math.round(rows / imported.seconds)} rows/s)`);
  const replay = await post(ctx, 'import', file);
  return {
    rows,
    bytes: Buffer.byteLength(file),
    customers: imported.counts.customers,
    appointments: imported.counts.appointments,
    previewSeconds: round2(preview.seconds),
    importSeconds: round2(imported.seconds),
    importRowsPerSecond: Math.round(rows / imported.seconds),
    replaySeconds: round2(replay.seconds),
  };
}
