import { useQuery } from '@tanstack/react-query';
import { api, problemText } from '../../api/client';
import { TableScroll } from '../../components/ui/TableScroll';

/** Deletion receipts, newest first, and this business's hash chain recomputed by the API. */
export function ReceiptsSection() {
  const chain = useQuery({
    queryKey: ['deletion-receipts', 'chain'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/compliance/deletion-receipts/chain');
      if (error || !data) throw new Error(problemText(error, 'The chain could not be checked.'));
      return data;
    },
  });
  const receipts = useQuery({
    queryKey: ['deletion-receipts'],
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/compliance/deletion-receipts', { params: { query: { limit: 50 } } });
      if (error || !data) throw new Error(problemText(error, 'The receipts could not be loaded.'));
      return data.data;
    },
  });
  return (
    <section aria-labelledby="receipts-title">
      <h2 id="receipts-title">Deletion receipts</h2>
      {chain.isError && (
        <p role="alert" className="error">
          {chain.error.message}
        </p>
      )}
      {chain.data && (
        <p role="status" className={chain.data.ok ? 'ok' : 'error'}>
          {chain.data.ok
            ? `Hash chain verified: all ${chain.data.checked} receipts link up.`
            : `Hash chain broken at receipt ${chain.data.brokenAtSeq} (of ${chain.data.checked}).`}
        </p>
      )}
      {receipts.data && receipts.data.length === 0 && <p className="muted">No deletions yet.</p>}
      {receipts.data && receipts.data.length > 0 && (
        <TableScroll label="Deletion receipts">
          <table className="data">
            <caption>Newest first</caption>
            <thead>
              <tr>
                <th scope="col">Receipt</th>
                <th scope="col">Deleted</th>
                <th scope="col">Cause</th>
                <th scope="col">What</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {receipts.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.seq}</th>
                  <td>{new Date(r.deletedAt).toLocaleString()}</td>
                  <td>{r.cause.replace(/_/g, ' ')}</td>
                  <td>
                    {Object.entries(r.counts)
                      .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
                      .join(', ') || '–'}
                  </td>
                  <td>
                    <code title={r.hash}>{r.hash.slice(0, 12)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
