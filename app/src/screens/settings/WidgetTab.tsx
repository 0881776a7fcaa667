import { useState, type FormEvent } from 'react';
import { SaveStatus } from './SaveStatus';
import { useSaveBusiness, type Business } from './settings-api';

/** The snippet to paste into the business's site, and the origins allowed to use it. */
export function WidgetTab({ business }: { business: Business }) {
  const save = useSaveBusiness();
  const [origins, setOrigins] = useState(business.allowedOrigins.join('\n'));
  const snippet =
    `<div id="leadflow"></div>\n` +
    `<script src="${window.location.origin}/widget.js" data-key="YOUR_WIDGET_KEY" data-target="#leadflow" async></script>`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      allowedOrigins: origins
        .split('\n')
        .map((o) => o.trim())
        .filter(Boolean),
    });
  };
  return (
    <form onSubmit={submit}>
      <h2>Widget snippet</h2>
      <p>
        Paste this where the form should appear; replace YOUR_WIDGET_KEY with a key of role “widget” (API keys tab).
      </p>
      <pre className="snippet" aria-label="Widget snippet">
        <code>{snippet}</code>
      </pre>
      <label htmlFor="origins">Allowed origins (one per line, e.g. https://www.example.com)</label>
      <textarea id="origins" rows={4} value={origins} onChange={(e) => setOrigins(e.target.value)} />
      <button type="submit" disabled={save.isPending}>
        Save origins
      </button>
      <SaveStatus mutation={save} />
    </form>
  );
}
