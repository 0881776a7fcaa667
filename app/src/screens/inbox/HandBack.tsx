import { useHandBack } from './queries';

export function HandBack({ leadId }: { leadId: string }) {
  const handBack = useHandBack(leadId);
  return (
    <div>
      <button type="button" disabled={handBack.isPending} onClick={() => handBack.mutate()}>
        Hand back to the assistant
      </button>
      {handBack.isError && (
        <p role="alert" className="error">
          {handBack.error.message}
        </p>
      )}
    </div>
  );
}
