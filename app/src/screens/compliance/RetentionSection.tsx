import * as AlertDialog from '@radix-ui/react-alert-dialog';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, problemText } from '../../api/client';
import { TableScroll } from '../../components/ui/TableScroll';

const RUNS_KEY = ['retention-runs'] as const;

function useRun(id: string | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: [...RUNS_KEY, id],
    enabled: id !== null,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/compliance/retention-runs/{id}', { params: { path: { id: id! } } });
      if (error || !data) throw new Error(problemText(error, 'The run could not be loaded.'));
      // The list shows each run's status too: re-read it once this one has finished.
      if (data.status !== 'running') void queryClient.invalidateQueries({ queryKey: RUNS_KEY, exact: true });
      return data;
    },
    // A run works in batches for a while; its report fills in when it completes.
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 1000 : false),
  });
}

function RunReport({ id }: { id: string }) {
  const run = useRun(id);
  if (!run.data) return <p role="status">Loading the run…</p>;
  const { report, status, dryRun } = run.data;
  const rows = Object.entries(report.totals ?? {});
  return (
    <div className="card" aria-live="polite">
      <p>
        <strong>{dryRun ? 'Dry run' : 'Run'}</strong> {status}
        {report.error ? `: ${report.error}` : ''}
      </p>
      {rows.length > 0 && (
        <TableScroll label="Run report">
          <table className="data">
            <caption>{dryRun ? 'What the run would delete' : 'What the run deleted'}</caption>
            <thead>
              <tr>
                <th scope="col">Category</th>
                <th scope="col">{dryRun ? 'Would delete' : 'Deleted'}</th>
                <th scope="col">Kept by a legal hold</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([category, counts]) => (
                <tr key={category}>
                  <th scope="row">{category.replace(/_/g, ' ')}</th>
                  <td>{dryRun ? counts?.wouldDelete : counts?.deleted}</td>
                  <td>{counts?.keptByHold}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}

/** Retention runs: a dry run first shows what would go; only then can the real run start. */
export function RetentionSection() {
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState<{ id: string; dryRun: boolean } | null>(null);
  const runs = useQuery({
    queryKey: RUNS_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/compliance/retention-runs', { params: { query: { limit: 10 } } });
      if (error || !data) throw new Error(problemText(error, 'The runs could not be loaded.'));
      return data.data;
    },
  });
  const start = useMutation({
    mutationFn: async (dryRun: boolean) => {
      const { data, error } = await api.POST('/v1/compliance/retention-runs', { body: { dryRun } });
      if (error || !data) throw new Error(problemText(error, 'The run did not start.'));
      return data;
    },
    onSuccess: (data) => {
      setCurrent({ id: data.id, dryRun: data.dryRun });
      return queryClient.invalidateQueries({ queryKey: RUNS_KEY });
    },
  });
  const currentRun = useRun(current?.id ?? null);
  // The real run is offered only once a dry run has finished and its report could be read.
  const dryRunDone = current?.dryRun === true && currentRun.data?.status === 'completed';

  return (
    <section aria-labelledby="retention-title">
      <h2 id="retention-title">Retention runs</h2>
      <p className="muted">Deletes what is past its retention period. Legal holds keep their rows.</p>
      <div className="actions">
        <button type="button" disabled={start.isPending} onClick={() => start.mutate(true)}>
          Start a dry run
        </button>
        <AlertDialog.Root>
          <AlertDialog.Trigger asChild>
            <button type="button" className="danger" disabled={!dryRunDone || start.isPending}>
              Run retention now
            </button>
          </AlertDialog.Trigger>
          <AlertDialog.Portal>
            <AlertDialog.Overlay className="dialog-overlay" />
            <AlertDialog.Content className="dialog card">
              <AlertDialog.Title>Delete expired data now?</AlertDialog.Title>
              <AlertDialog.Description>
                What the dry run listed is deleted, each batch with a deletion receipt. This cannot be undone.
              </AlertDialog.Description>
              <div className="actions">
                <AlertDialog.Action asChild>
                  <button type="button" className="danger" onClick={() => start.mutate(false)}>
                    Delete expired data
                  </button>
                </AlertDialog.Action>
                <AlertDialog.Cancel asChild>
                  <button type="button" className="ghost">
                    Not now
                  </button>
                </AlertDialog.Cancel>
              </div>
            </AlertDialog.Content>
          </AlertDialog.Portal>
        </AlertDialog.Root>
      </div>
      {!dryRunDone && <p className="muted">Start a dry run first to see what would be deleted.</p>}
      {start.isError && (
        <p role="alert" className="error">
          {start.error.message}
        </p>
      )}
      {current && <RunReport id={current.id} />}
      {runs.data && runs.data.length > 0 && (
        <TableScroll label="Recent runs">
          <table className="data">
            <caption>Recent runs</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{new Date(r.startedAt).toLocaleString()}</th>
                  <td>{r.dryRun ? 'Dry run' : 'Deletion'}</td>
                  <td>{r.status}</td>
                  <td>{r.triggeredBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
