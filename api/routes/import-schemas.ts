import { z } from 'zod';
import { IMPORT_COLUMNS } from '../../services/imports/import-row';

/** Uploads larger than this are refused (413): about 100,000 rows of typical customer data. */
export const IMPORT_LIMIT_BYTES = 20 * 1024 * 1024;

export const ZImportQuerySchema = z.strictObject({
  mode: z.enum(['preview', 'import'], { message: 'must be preview or import' }).default('preview').openapi({
    description: '`preview` (default) checks every row and writes nothing; `import` writes the valid rows',
  }),
});

export const ZImportHeadersSchema = z.object({
  'idempotency-key': z.string().optional().openapi({
    description:
      'A retried upload with the same key answers the first import instead of importing again (without a key, the same bytes do); the same key with another file is refused (422)',
  }),
});

/** The body is the CSV itself, streamed; it is read by the route, not parsed as JSON. */
export const ZImportCsvBodySchema = z
  .custom<unknown>(() => true)
  .openapi({
    type: 'string',
    description: `CSV with a header row (any case). Columns: ${IMPORT_COLUMNS.join(', ')}; name and phone are required. A row records SMS consent only with consent_text, consent_obtained_at and consent_method together.`,
    example:
      'name,phone,email,consent_text,consent_obtained_at,consent_method,appointment_at,appointment_service,notes\nRosa Delgado,(212) 555-0142,rosa@example.org,I agree to receive texts about my appointments.,2024-05-02,paper form,2024-05-10 09:00,Drain cleaning,Side gate',
  });

const ZRowProblemSchema = z
  .object({
    row: z.number().int().openapi({ description: 'The line of the file (the header is line 1)' }),
    field: z.string().openapi({ example: 'phone' }),
    reason: z.string().openapi({ example: 'is not a valid number for its country' }),
  })
  .openapi('ImportRowProblem');

const ZImportCountsSchema = z
  .object({
    rows: z.number().int(),
    rowsWithProblems: z.number().int(),
    customers: z.number().int(),
    appointments: z.number().int(),
    textable: z
      .number()
      .int()
      .openapi({ description: 'Customers with a consent record: the only ones that may be texted' }),
    notTextable: z.number().int(),
  })
  .openapi('ImportCounts');

export const ZImportResultSchema = z
  .object({
    mode: z.enum(['preview', 'import']),
    importId: z.string().nullable(),
    replayed: z.boolean(),
    counts: ZImportCountsSchema,
    problems: z.array(ZRowProblemSchema),
    problemsListed: z
      .number()
      .int()
      .openapi({ description: 'At most 1,000 problems are listed; the counts cover all' }),
  })
  .openapi('ImportResult');

export const ZImportSchema = z
  .object({ id: z.string(), createdAt: z.iso.datetime(), counts: ZImportCountsSchema })
  .openapi('CustomerImport');
