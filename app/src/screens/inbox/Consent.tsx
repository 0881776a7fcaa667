import type { components } from '../../api/schema';
import { formatTime } from './format';

type Lead = components['schemas']['Lead'];

interface ConsentRecord {
  text: string;
  at: string;
  method: string;
  pageUrl?: string | null;
}

/** The consent the lead gave to be texted: the exact words, when and how. */
export function Consent({ lead, timeZone }: { lead: Lead; timeZone: string | undefined }) {
  const consent = (lead as Lead & { consent?: ConsentRecord | null }).consent;
  return (
    <section aria-labelledby="consent-heading">
      <h2 id="consent-heading">Consent</h2>
      {consent ? (
        <dl className="facts">
          <dt>Given</dt>
          <dd>{formatTime(consent.at, timeZone)}</dd>
          <dt>How</dt>
          <dd>{consent.method}</dd>
          {consent.pageUrl && (
            <>
              <dt>Page</dt>
              <dd>{consent.pageUrl}</dd>
            </>
          )}
          <dt>Text</dt>
          <dd>“{consent.text}”</dd>
        </dl>
      ) : (
        <p className="muted">No consent record is shown for this lead.</p>
      )}
    </section>
  );
}
