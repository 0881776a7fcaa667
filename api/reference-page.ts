import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router } from 'express';

/**
 * The API reference at /docs: Swagger UI (npm `swagger-ui-dist`, served from this process,
 * never a CDN) reading the same document as /openapi.json, so it cannot drift from the
 * routes. It shows every operation with its schemas and generated examples, and "Try it
 * out" sends real requests to this API with the key a reader enters (kept in the page only).
 */
type Json = Record<string, unknown>;

const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const SWAGGER_UI_VERSION = (JSON.parse(readFileSync(join(SWAGGER_UI_DIR, 'package.json'), 'utf8')) as Json)
  .version as string;
/** The only files of the package the page loads; their URLs carry the version, so they are cached for good. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'swagger-ui-bundle.js': 'application/javascript',
  'favicon-32x32.png': 'image/png',
};
const ASSET_BASE = `/docs/assets/${SWAGGER_UI_VERSION}`;

const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/**
 * Swagger UI renders with inline style attributes and data: images, and "Try it out" calls
 * the API's own origin (or the document's servers); nothing else is allowed.
 */
function contentSecurityPolicy(document: Json): string {
  const servers = ((document.servers as Array<{ url?: string }> | undefined) ?? [])
    .map((s) => (s.url && URL.canParse(s.url) ? new URL(s.url).origin : null))
    .filter((origin): origin is string => origin !== null);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${servers.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Without JavaScript the page still lists every operation and points at the document. */
function operationIndex(document: Json): string {
  const paths = (document.paths ?? {}) as Record<string, Record<string, { summary?: string }>>;
  const items = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, op]) => `<li><code>${esc(method.toUpperCase())} ${esc(path)}</code> ${esc(op.summary)}</li>`,
    ),
  );
  return `<ul>${items.join('')}</ul>`;
}

export function renderReferenceHtml(document: Json, specUrl: string): string {
  const info = (document.info ?? {}) as { title?: string; version?: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} ${esc(info.version)} reference</title>
<link rel="stylesheet" href="${ASSET_BASE}/swagger-ui.css">
<link rel="icon" type="image/png" href="${ASSET_BASE}/favicon-32x32.png">
</head><body>
<div id="swagger-ui" data-spec-url="${esc(specUrl)}"></div>
<noscript><h1>${esc(info.title)} ${esc(info.version)}</h1>
<p>The interactive reference needs JavaScript. The machine-readable document is at <a href="${esc(specUrl)}">${esc(specUrl)}</a> (OpenAPI 3.1).</p>
${operationIndex(document)}</noscript>
<script src="${ASSET_BASE}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;
}

/** A file of its own: the CSP allows no inline script. */
const INIT_SCRIPT = `'use strict';
(function () {
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-spec-url'),
    domNode: root,
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 1,
    displayOperationId: true,
    displayRequestDuration: true,
    filter: true,
    showExtensions: true,
    supportedSubmitMethods: ['get', 'put', 'post', 'delete', 'patch'],
    // A key typed into "Authorize" stays in this page: never in localStorage.
    persistAuthorization: false,
    // No call to the public validator service: nothing leaves for a third party.
    validatorUrl: null,
  });
})();
`;

export function referencePage(opts: { document: Json; specUrl?: string }): Router {
  const specUrl = opts.specUrl ?? '/openapi.json';
  const html = renderReferenceHtml(opts.document, specUrl);
  const csp = contentSecurityPolicy(opts.document);
  const router = Router();
  router.get('/docs', (_req, res) => {
    res.setHeader('Content-Security-Policy', csp);
    res.type('html').send(html);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(INIT_SCRIPT);
  });
  router.get(`${ASSET_BASE}/:file`, (req, res, next) => {
    const type = ASSETS[req.params.file];
    if (!type) return next();
    res.type(type).sendFile(join(SWAGGER_UI_DIR, req.params.file), { maxAge: '365d', immutable: true });
  });
  return router;
}
