import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, problemText } from '../../api/client';
import { SaveStatus } from './SaveStatus';

const SERVICES_KEY = ['services'] as const;

const wordsOf = (text: string) =>
  text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);

/** Other words leads use for each service ("boiler", "calentador"): a text naming one books that service. */
export function ServiceWords() {
  const queryClient = useQueryClient();
  const services = useQuery({
    queryKey: SERVICES_KEY,
    queryFn: async () => {
      const { data, error } = await api.GET('/v1/services');
      if (error || !data) throw new Error(problemText(error, 'The services could not be loaded.'));
      return data.data;
    },
  });
  const [edits, setEdits] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: async (changes: Array<{ id: string; keywords: string[] }>) => {
      for (const c of changes) {
        const { error } = await api.PATCH('/v1/services/{id}', {
          params: { path: { id: c.id } },
          body: { keywords: c.keywords },
        });
        if (error) throw new Error(problemText(error, 'The words were not saved.'));
      }
    },
    onSuccess: () => setEdits({}),
    onSettled: () => queryClient.invalidateQueries({ queryKey: SERVICES_KEY }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(Object.entries(edits).map(([id, text]) => ({ id, keywords: wordsOf(text) })));
  };

  if (services.isPending) return <p role="status">Loading the services…</p>;
  if (services.isError)
    return (
      <p role="alert" className="error">
        {services.error.message}
      </p>
    );
  return (
    <form className="card" onSubmit={submit}>
      <h2>Words leads use for each service</h2>
      <p className="muted">Separated by commas, in English or Spanish. A lead who names one is offered that service.</p>
      {services.data.map((s) => (
        <div key={s.id}>
          <label htmlFor={`service-words-${s.id}`}>Other words for {s.name}</label>
          <input
            id={`service-words-${s.id}`}
            value={edits[s.id] ?? s.keywords.join(', ')}
            onChange={(e) => setEdits((all) => ({ ...all, [s.id]: e.target.value }))}
          />
        </div>
      ))}
      <div className="actions">
        <button type="submit" disabled={save.isPending || Object.keys(edits).length === 0}>
          Save the words
        </button>
      </div>
      <SaveStatus mutation={save} />
    </form>
  );
}
