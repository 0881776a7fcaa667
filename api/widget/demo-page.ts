import { readFileSync } from 'node:fs';

const TEMPLATE = readFileSync(new URL('./assets/demo.html', import.meta.url), 'utf8');

const escapeHtml = (v: string) =>
  v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The demo site of a fictional plumbing company with the widget embedded, and the CSP it
 * must be served with. `scriptSrc` may live on another origin (as on a real business's
 * site); the CSP then allows exactly that origin for the script and its API calls.
 */
export function renderDemoPage(opts: { key: string | null; scriptSrc: string; nonce: string }): {
  html: string;
  csp: string;
} {
  const api = /^https?:\/\//.test(opts.scriptSrc) ? new URL(opts.scriptSrc).origin : "'self'";
  const embed = opts.key
    ? `<div id="leadflow"></div>\n      <script src="${escapeHtml(opts.scriptSrc)}" data-key="${escapeHtml(opts.key)}" data-target="#leadflow" async></script>`
    : `<div class="missing" role="note"><strong>No demo widget key yet.</strong> The widget needs the demo business's publishable key (<code>lf_pub_…</code>). Start the stack with <code>npm start</code>, which seeds the demo business and its widget key, then reload this page.</div>`;
  const html = TEMPLATE.replace('{{nonce}}', escapeHtml(opts.nonce)).replace('{{embed}}', () => embed);
  const csp = [
    "default-src 'none'",
    `script-src ${api}`,
    `connect-src ${api}`,
    `style-src 'nonce-${opts.nonce}'`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}
