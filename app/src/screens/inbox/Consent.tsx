import { consentMethodLabel, formatTime } from './format';
import { useConsent } from './queries';

/** The consent the lead gave to be texted: the exact words, when and how. */
export function Consent({ leadId, timeZone }: { leadId: string; timeZone: string | undefined }) {
  const consent = useConsent(leadId);
  const records = consent.data ?? [];
  return (
    <section aria-labelledby="consent-heading">
      <h2 id="consent-heading">Consent</h2>
      {consent.isError && <p className="error">The consent record could not be loaded.</p>}
      {consent.isSuccess && records.length === 0 && <p className="muted">No consent record.</p>}
      {records.map((record) => (
        <dl className="facts" key={record.id}>
          <dt>Given</dt>
          <dd>{formatTime(record.at, timeZone)}</dd>
          <dt>How</dt>
          <dd>{consentMethodLabel(record.method)}</dd>
          {record.pageUrl && (
            <>
              <dt>Page</dt>
              <dd>{record.pageUrl}</dd>
            </>
          )}
          <dt>Words</dt>
          <dd>“{record.text}”</dd>
        </dl>
      ))}
    </section>
  );
}
