import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { AppError } from '../app-error';
import {
  IMPORT_COLUMNS,
  REQUIRED_COLUMNS,
  validateRow,
  type ImportColumn,
  type ImportRow,
  type RowContext,
  type RowProblem,
} from './import-row';

export interface ImportFile {
  /** Data rows read (the header not counted). */
  rows: number;
  valid: ImportRow[];
  problems: RowProblem[];
  /** SHA-256 of the bytes as sent (hex): what makes a re-upload the same upload. */
  sha256: string;
}

/** Counts the bytes as they stream by and stops the upload past the limit (a chunked body has no Content-Length). */
function byteLimit(limit: number, hash: ReturnType<typeof createHash>) {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) return done(new AppError('payload_too_large', `the file is larger than ${limit} bytes`));
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

/**
 * Reads an import file as it arrives: csv-parse (quotes, embedded commas and line breaks,
 * a byte-order mark) record by record, each row checked on its own as it comes. A file that
 * is not CSV at all, or lacks a required column, is a 400 naming it; a bad row is a problem
 * of that row, and the rest are still read.
 */
export async function readImportFile(
  body: Readable,
  opts: { limitBytes: number; ctx: RowContext },
): Promise<ImportFile> {
  const hash = createHash('sha256');
  const limiter = byteLimit(opts.limitBytes, hash);
  // No row of the columns' lengths comes near 64 kB: a record past it is not a customer file.
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: 64 * 1024,
  });
  body.on('error', (err) => limiter.destroy(err));
  limiter.on('error', (err) => parser.destroy(err));
  body.pipe(limiter).pipe(parser);

  let header: Array<ImportColumn | null> | null = null;
  let rows = 0;
  const valid: ImportRow[] = [];
  const problems: RowProblem[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = readHeader(record);
        continue;
      }
      rows += 1;
      const row = info.lines;
      if (record.length !== header.length) {
        problems.push({ row, field: '(row)', reason: `has ${record.length} fields; the header has ${header.length}` });
        continue;
      }
      const raw: Partial<Record<ImportColumn, string>> = {};
      header.forEach((column, i) => {
        if (column) raw[column] = record[i];
      });
      const checked = validateRow(raw, row, opts.ctx);
      if (checked.ok) valid.push(checked.value);
      else problems.push(...checked.problems);
    }
  } catch (err) {
    body.unpipe(limiter);
    if (err instanceof AppError) throw err;
    if (err instanceof CsvError) throw new AppError('bad_request', `csv: ${err.message}`);
    throw err;
  }
  if (!header) throw new AppError('bad_request', 'csv: the file is empty; it needs a header row');
  return { rows, valid, problems, sha256: hash.digest('hex') };
}

function readHeader(record: string[]): Array<ImportColumn | null> {
  const names = record.map((h) => h.trim().toLowerCase());
  const known = new Set<string>(IMPORT_COLUMNS);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new AppError(
      'bad_request',
      `header: unknown column ${JSON.stringify(unknown[0])}; the columns are ${IMPORT_COLUMNS.join(', ')}`,
      unknown.map((n) => ({ field: 'header', reason: `unknown column ${JSON.stringify(n)}` })),
    );
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new AppError('bad_request', `header: column ${repeated} appears twice`);
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new AppError('bad_request', `header: needs the column ${missing[0]}`);
  return names as ImportColumn[];
}
