/*! leadflow capture widget: dependency-free ES2017.
 * <script src="https://API/widget.js" data-key="lf_pub_…" data-target="#leadflow" async></script>
 * Theme it from the host page with the CSS custom property --leadflow-accent.
 * English or Spanish: data-lang="es" (or "en"), else the page's <html lang>. */
(() => {
  'use strict';
  const script = document.currentScript || document.querySelector('script[data-key][src*="/widget.js"]');
  if (!script) return;
  const key = script.getAttribute('data-key') || '';
  const api = new URL(script.src, location.href).origin;
  const warn = (m) => console.warn('leadflow widget: ' + m);
  if (!/^lf_pub_/.test(key)) return warn('data-key must be a publishable key (lf_pub_…)');

  const TEXTS = {
    en: {
      busy: 'We’re busy — please try again in a moment.',
      offline: 'We couldn’t reach the server. Check your connection and try again.',
      failed: 'Something went wrong on our side. Please try again.',
      nouns: { name: 'Name', phone: 'Phone number', message: 'Message', consent: 'Consent' },
      // The API's reasons are English fragments ("is required"): given their subject.
      invalid: (noun, reason) => noun + ' ' + reason + '.',
      loading: 'Loading…',
      notLoaded: 'This form could not load.',
      tryAgain: 'Try again',
      send: 'Text me back',
      sending: 'Sending…',
      title: 'Get a quick reply by text',
      sub: (business) => 'Tell ' + business + ' what you need and we’ll text you back.',
      name: 'Name',
      phone: 'Phone',
      phoneHint: 'Mobile number — we’ll text you here.',
      message: 'How can we help? ',
      optional: '(optional)',
      noName: 'Enter your name.',
      badPhone: 'Enter a phone number we can text, e.g. (555) 123-4567',
      noPhone: 'Enter your phone number.',
      noConsent: 'Check this box so we can text you back.',
      thanks: (first) => 'Thanks, ' + first + '! We’ll text you shortly.',
      received: (business) => business + ' has your request.',
    },
    es: {
      busy: 'Estamos ocupados; inténtelo de nuevo en un momento.',
      offline: 'No pudimos conectar con el servidor. Revise su conexión e inténtelo de nuevo.',
      failed: 'Algo salió mal de nuestro lado. Inténtelo de nuevo.',
      nouns: { name: 'Nombre', phone: 'Teléfono', message: 'Mensaje', consent: 'Consentimiento' },
      invalid: (noun) => noun + ': revise este dato.',
      loading: 'Cargando…',
      notLoaded: 'No se pudo cargar este formulario.',
      tryAgain: 'Reintentar',
      send: 'Escríbanme',
      sending: 'Enviando…',
      title: 'Reciba una respuesta rápida por mensaje de texto',
      sub: (business) => 'Cuéntele a ' + business + ' qué necesita y le responderemos por mensaje.',
      name: 'Nombre',
      phone: 'Teléfono',
      phoneHint: 'Celular: le escribiremos a este número.',
      message: '¿Cómo podemos ayudarle? ',
      optional: '(opcional)',
      noName: 'Escriba su nombre.',
      badPhone: 'Escriba un teléfono que reciba mensajes, p. ej. (555) 123-4567',
      noPhone: 'Escriba su teléfono.',
      noConsent: 'Marque esta casilla para que podamos escribirle.',
      thanks: (first) => '¡Gracias, ' + first + '! Le escribiremos en breve.',
      received: (business) => business + ' recibió su solicitud.',
    },
  };
  const primary = (tag) => String(tag || '').toLowerCase().split('-')[0];
  const chosen = primary(script.getAttribute('data-lang'));
  const lang = chosen in TEXTS ? chosen : primary(document.documentElement.lang) === 'es' ? 'es' : 'en';
  // Sent with the capture when the person chose it: an English page says nothing about who fills the form,
  // so the lead's message or the business's default language decides then.
  const sendLanguage = chosen in TEXTS || lang === 'es';
  const T = TEXTS[lang];

  // Shadow-scoped: host-page rules cannot match these elements, and these rules cannot match the page.
  // :host is !important because the host element itself is in the page's reach.
  const CSS = `
:host{all:initial!important;display:block!important}
*{box-sizing:border-box}
[hidden]{display:none!important}
.lf{display:block;width:100%;max-width:460px;padding:24px;background:#fff;color:#1f2937;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;border:1px solid #e2e5ea;border-radius:14px;
box-shadow:0 1px 2px rgba(16,24,40,.06),0 8px 24px rgba(16,24,40,.08);--accent:var(--leadflow-accent,#1d4ed8)}
h2{margin:0 0 4px;font-size:21px;line-height:1.3;color:#111827}
p{margin:0}
.sub,.hint,.muted{color:#4b5563;font-size:15px}
.sub{margin-bottom:20px}
.hint{margin:-2px 0 6px;font-size:14px}
.field{margin-bottom:16px}
label{display:block;margin-bottom:6px;font-size:15px;font-weight:600;color:#111827}
label span{font-weight:400;color:#6b7280}
input,textarea,button{font:inherit;color:inherit;margin:0}
.text{display:block;width:100%;padding:10px 12px;border:1px solid #7b8490;border-radius:8px;background:#fff;transition:border-color .15s,box-shadow .15s}
textarea{min-height:88px;resize:vertical}
.text:focus{outline:none;border-color:var(--accent);box-shadow:0 0 0 3px rgba(29,78,216,.25);box-shadow:0 0 0 3px color-mix(in srgb,var(--accent) 25%,transparent)}
[aria-invalid=true]{border-color:#b42318}
.err{margin-top:6px;color:#b42318;font-size:14px;font-weight:500}
.err:empty,.status:empty{display:none}
.consent{display:flex;gap:10px;align-items:flex-start}
.consent input{flex:none;width:20px;height:20px;margin-top:2px;accent-color:var(--accent)}
.consent label{margin:0;font-weight:400;font-size:14px;line-height:1.45;color:#374151}
.status{margin-bottom:14px;padding:10px 12px;border-radius:8px;background:#fef3f2;color:#912018;font-size:14px}
button{display:flex;align-items:center;justify-content:center;gap:8px;width:100%;min-height:48px;padding:12px 16px;border:0;border-radius:10px;
background:var(--accent);color:#fff;font-weight:600;cursor:pointer;transition:filter .15s}
button:hover{filter:brightness(1.1)}
button[disabled]{cursor:progress;opacity:.75}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.text:focus-visible{outline:none}
.spin{width:16px;height:16px;border:2px solid rgba(255,255,255,.5);border-top-color:#fff;border-radius:50%;animation:spin .8s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
.thanks{text-align:center;padding:12px 0;outline:none}
.tick{display:inline-flex;align-items:center;justify-content:center;width:48px;height:48px;margin-bottom:12px;border-radius:50%;background:#ecfdf3;color:#067647;font-size:26px}
.thanks p:first-of-type{margin-bottom:4px;font-size:18px;font-weight:600;color:#111827}
@media (max-width:360px){.lf{padding:18px}}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}`;

  // textContent only: business settings and server replies are never parsed as HTML.
  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (v !== false) el.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids) if (kid) el.append(kid);
    return el;
  };

  const request = async (path, init = {}) => {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 15000);
    try {
      const headers = Object.assign({ Authorization: 'Bearer ' + key }, init.headers);
      return await fetch(api + path, Object.assign({}, init, { headers, mode: 'cors', credentials: 'omit', signal: ctl.signal }));
    } finally {
      clearTimeout(timer);
    }
  };

  function mount() {
    const host = document.createElement('div');
    const sel = script.getAttribute('data-target');
    let target = null;
    try {
      target = sel && document.querySelector(sel);
    } catch (e) {} // an invalid selector is reported below like a missing element
    if (sel && !target) warn('nothing matches data-target ' + sel + '; the form goes after the script tag');
    if (target) target.append(host);
    else if (script.parentNode !== document.head) script.after(host);
    else document.body.append(host);

    const root = host.attachShadow({ mode: 'open' });
    // A constructed sheet is not an inline <style>, so sites with a strict style-src CSP still get a styled form.
    if (root.adoptedStyleSheets && CSSStyleSheet.prototype.replaceSync) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else root.append(h('style', { text: CSS }));
    load(root.appendChild(h('div', { class: 'lf', part: 'container', lang })));
  }

  async function load(box) {
    box.replaceChildren(h('p', { class: 'muted', role: 'status', text: T.loading }));
    try {
      const res = await request('/v1/widget/config');
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const config = await res.json();
      if (typeof config.businessName !== 'string' || !config.consentText) throw new Error('unexpected settings');
      box.replaceChildren(...render(config));
    } catch (e) {
      warn('could not load settings from ' + api + ' (' + e.message + '): check data-key and that this site’s origin is allowed');
      box.replaceChildren(h('p', { class: 'muted', role: 'alert', text: T.notLoaded }), h('p', {}, h('button', { type: 'button', text: T.tryAgain, onclick: () => load(box) })));
    }
  }

  function render(config) {
    const input = (attrs) => h('input', Object.assign({ class: 'text', required: true }, attrs));
    const controls = {
      name: input({ type: 'text', autocomplete: 'name', maxlength: 200 }),
      phone: input({ type: 'tel', autocomplete: 'tel', maxlength: 40 }),
      message: h('textarea', { class: 'text', rows: 3, maxlength: 2000 }),
      consent: h('input', { type: 'checkbox', required: true }),
    };
    const errors = {};
    for (const n in controls) {
      const c = controls[n];
      c.id = 'lf-' + n;
      c.name = n;
      c.setAttribute('aria-describedby', (n === 'phone' ? 'lf-phone-hint ' : '') + 'lf-' + n + '-error');
      errors[n] = h('p', { class: 'err', id: 'lf-' + n + '-error' });
      c.addEventListener(n === 'consent' ? 'change' : 'input', () => setError(n, ''));
    }
    const label = (n, text, extra) => h('label', { for: 'lf-' + n, text }, extra);
    const status = h('div', { class: 'status', role: 'alert' });
    const button = h('button', { type: 'submit', text: T.send });
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'lf-title', onsubmit: submit },
      h('h2', { id: 'lf-title', text: T.title }),
      h('p', { class: 'sub', text: T.sub(config.businessName) }),
      h('div', { class: 'field' }, label('name', T.name), controls.name, errors.name),
      h('div', { class: 'field' }, label('phone', T.phone), h('p', { class: 'hint', id: 'lf-phone-hint', text: T.phoneHint }), controls.phone, errors.phone),
      h('div', { class: 'field' }, label('message', T.message, h('span', { text: T.optional })), controls.message, errors.message),
      h('div', { class: 'field' }, h('div', { class: 'consent' }, controls.consent, label('consent', config.consentText)), errors.consent),
      status,
      button,
    );
    const thanks = h('div', { class: 'thanks', role: 'status', tabindex: '-1', hidden: true });
    const fill = randomKey(); // one per form fill, so every retry of it is the same lead
    let sending = false;

    function setError(n, text) {
      errors[n].textContent = text;
      if (text) controls[n].setAttribute('aria-invalid', 'true');
      else controls[n].removeAttribute('aria-invalid');
    }
    function showErrors(found) {
      for (const n in controls) setError(n, found[n] || '');
      const first = Object.keys(controls).find((n) => found[n]);
      if (first) controls[first].focus();
      return Boolean(first);
    }
    function setBusy(busy) {
      sending = button.disabled = busy;
      button.setAttribute('aria-busy', busy);
      button.replaceChildren(...(busy ? [h('span', { class: 'spin', 'aria-hidden': 'true' }), T.sending] : [T.send]));
    }

    async function submit(e) {
      e.preventDefault();
      if (sending) return;
      status.textContent = '';
      const name = controls.name.value.trim();
      const phone = controls.phone.value.replace(/[\s\-.()]/g, '');
      const message = controls.message.value.trim();
      const found = {};
      if (!name) found.name = T.noName;
      if (!/^(\d{10}|1\d{10}|\+\d{8,15})$/.test(phone)) found.phone = phone ? T.badPhone : T.noPhone;
      if (!controls.consent.checked) found.consent = T.noConsent;
      if (showErrors(found)) return;

      // The API caps pageUrl at 2000 characters: a long tracking query string must not cost the lead.
      const pageUrl = location.href.length <= 2000 ? location.href : location.origin + location.pathname.slice(0, 1500);
      const body = { name, phone, message: message || undefined, source: 'widget', consent: { text: config.consentText, pageUrl }, language: sendLanguage ? lang : undefined };
      setBusy(true);
      try {
        const res = await request('/v1/leads', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': fill }, body: JSON.stringify(body) });
        if (res.status === 202) {
          form.hidden = true;
          thanks.hidden = false;
          thanks.append(h('div', { class: 'tick', 'aria-hidden': 'true', text: '✓' }), h('p', { text: T.thanks(name.split(/\s+/)[0]) }), h('p', { class: 'muted', text: T.received(config.businessName) }));
          thanks.focus();
          return;
        }
        const reply = await res.json().catch(() => null);
        const details = (reply && reply.error && reply.error.details) || [];
        const byField = {};
        for (const d of res.status === 400 && Array.isArray(details) ? details : []) {
          const n = String(d.field).split('.')[0];
          const reason = String(d.reason || 'is not valid');
          if (n in controls && !byField[n]) byField[n] = /^[a-z]/.test(reason) ? T.invalid(T.nouns[n], reason) : reason;
        }
        if (showErrors(byField)) return;
        if (res.status === 401 || res.status === 403) warn('the API refused this key or this site’s origin (' + res.status + ')');
        status.textContent = res.status === 429 || res.status === 503 ? T.busy : T.failed;
      } catch (err) {
        status.textContent = T.offline;
      } finally {
        setBusy(false);
      }
    }
    return [form, thanks];
  }

  const randomKey = () => 'lfw-' + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount, { once: true });
  else mount();
})();
