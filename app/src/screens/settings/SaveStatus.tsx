import type { UseMutationResult } from '@tanstack/react-query';

/** What became of the last save: announced to screen readers. */
export function SaveStatus({
  mutation,
}: {
  mutation: Pick<UseMutationResult<unknown, Error, never>, 'isError' | 'isSuccess' | 'error'>;
}) {
  if (mutation.isError)
    return (
      <p role="alert" className="error">
        {mutation.error?.message}
      </p>
    );
  return (
    <p role="status" className="ok">
      {mutation.isSuccess ? 'Saved.' : ''}
    </p>
  );
}
