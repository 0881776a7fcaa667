import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, problemText } from '../../api/client';
import { TableScroll } from '../../components/ui/TableScroll';

type Mode = 'preview' | 'import';

/** Customer import: a preview lists every row's problems; only then are the valid rows imported. */
export function ImportTab() {
  const [csv, setCsv] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const upload = useMutation({
    mutationFn: async (mode: Mode) => {
      const { data, error } = await api.POST('/v1/imports', {
        params: { query: { mode } },
        body: csv as never,
        bodySerializer: (body: unknown) => body as string,
        headers: { 'Content-Type': 'text/csv; charset=utf-8' },
      });
      if (error || !data) throw new Error(problemText(error, 'The file was not read.'));
      return data;
    },
  });
  const preview = (e: FormEvent) => {
    e.preventDefault();
    upload.mutate('preview');
  };
  const result = upload.data;

  return (
    <form onSubmit={preview}>
      <h2>Import customers</h2>
      <p className="muted">
        CSV with a header row: name, phone, email, consent_text, consent_obtained_at, consent_method, appointment_at,
        appointment_service, notes. Nobody is texted without a consent record in their row.
      </p>
      <label htmlFor="import-file">CSV file</label>
      <input
        id="import-file"
        type="file"
        accept=".csv,text/csv"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          upload.reset();
          setFileName(file?.name ?? '');
          setCsv(file ? await file.text() : null);
        }}
      />
      <div className="actions">
        <button type="submit" disabled={!csv || upload.isPending}>
          Preview import
        </button>
        <button
          type="button"
          disabled={!csv || upload.isPending || result?.mode !== 'preview' || result.counts.customers === 0}
          onClick={() => upload.mutate('import')}
        >
          Import valid rows
        </button>
      </div>
      {upload.isError && (
        <p role="alert" className="error">
          {upload.error.message}
        </p>
      )}
      {result && (
        <div role="status" className="card">
          <p>
            {result.mode === 'preview' ? `Preview of ${fileName}: ` : `Imported from ${fileName}: `}
            {result.counts.rows} rows, {result.counts.rowsWithProblems} with problems, {result.counts.customers}{' '}
            customers, {result.counts.appointments} past appointments, {result.counts.textable} with SMS consent.
          </p>
          {result.problems.length > 0 && (
            <TableScroll label="Rows with problems">
              <table className="data">
                <caption>Rows with problems</caption>
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    <th scope="col">Field</th>
                    <th scope="col">Problem</th>
                  </tr>
                </thead>
                <tbody>
                  {result.problems.map((p) => (
                    <tr key={`${p.row}-${p.field}`}>
                      <th scope="row">{p.row}</th>
                      <td>{p.field}</td>
                      <td>{p.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </div>
      )}
    </form>
  );
}
