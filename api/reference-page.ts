/**
 * A readable API reference, rendered once from the same OpenAPI document served at
 * /openapi.json: no second copy to keep in step, and no script or CDN asset to load.
 */
type Json = Record<string, unknown>;

const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function schemaText(schema: unknown, components: Json): string {
  const resolve = (s: unknown): unknown => {
    if (s && typeof s === 'object' && '$ref' in s) {
      const name = String((s as { $ref: string }).$ref)
        .split('/')
        .pop()!;
      return (components.schemas as Json | undefined)?.[name] ?? s;
    }
    return s;
  };
  return JSON.stringify(
    resolve(schema),
    (_k, v) => (v && typeof v === 'object' && '$ref' in v ? `→ ${String(v.$ref).split('/').pop()}` : v),
    2,
  );
}

export function renderReference(doc: Json): string {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const components = (doc.components ?? {}) as Json;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = ((op.tags as string[] | undefined) ?? ['Other'])[0]!;
      const params = ((op.parameters as Json[] | undefined) ?? [])
        .map(
          (p) =>
            `<li><code>${esc(p.name)}</code> <small>${esc(p.in)}${p.required ? ', required' : ''}</small> ${esc((p as { description?: string }).description)}</li>`,
        )
        .join('');
      const body = (op.requestBody as Json | undefined)?.content as Record<string, { schema: unknown }> | undefined;
      const bodyHtml = body
        ? Object.entries(body)
            .map(
              ([type, c]) =>
                `<p>Body (<code>${esc(type)}</code>)</p><pre>${esc(schemaText(c.schema, components))}</pre>`,
            )
            .join('')
        : '';
      const responses = Object.entries((op.responses ?? {}) as Record<string, Json>)
        .map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description)}</li>`)
        .join('');
      const html = `<section class="op" id="${esc(`${method}-${path}`)}">
  <h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
  <p>${esc(op.summary)}</p>${op.description ? `<p class="d">${esc(op.description)}</p>` : ''}
  ${params ? `<p>Parameters</p><ul>${params}</ul>` : ''}${bodyHtml}
  <p>Responses</p><ul>${responses}</ul>
</section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const info = doc.info as { title: string; description?: string; version: string };
  const nav = [...byTag.keys()].map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' · ');
  const sections = [...byTag.entries()]
    .map(([t, ops]) => `<h2 id="tag-${esc(t)}">${esc(t)}</h2>${ops.join('\n')}`)
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} reference</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:960px;margin:0 auto;padding:1rem;color:#1b1f24}
code,pre{font-family:ui-monospace,monospace}pre{background:#f4f6f8;padding:.75rem;overflow:auto;border-radius:6px;font-size:13px}
.op{border-top:1px solid #d8dee4;padding:.5rem 0}.m{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;font-size:.8em;padding:0 .3em}
.get{background:#1f6feb}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}.d{color:#57606a}
nav{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #d8dee4}
</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1><p>${esc(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<nav>${nav}</nav>
${sections}
</body></html>`;
}
