import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { renderDemoPage } from './demo-page';

export interface WidgetRouterOptions {
  /** Serve GET /widget/demo (development only). */
  demo: boolean;
  /** The demo business's publishable key (lf_pub_…), or null when there is none yet. */
  demoKey?: () => Promise<string | null>;
}

/** GET /widget.js, the embeddable capture form, and in development GET /widget/demo. */
export function createWidgetRouter(opts: WidgetRouterOptions): Router {
  // Static: read once here, not per request.
  const script = readFileSync(new URL('./assets/widget.js', import.meta.url));
  const router = Router();

  router.get('/widget.js', (_req, res) => {
    res.set({
      'Content-Type': 'application/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=300',
      // helmet answers same-origin by default, which would stop every business's site from loading it.
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    res.send(script);
  });

  if (opts.demo) {
    router.get('/widget/demo', async (_req, res) => {
      const key = (await opts.demoKey?.()) ?? null;
      const page = renderDemoPage({ key, scriptSrc: '/widget.js', nonce: randomBytes(16).toString('base64') });
      res.set({
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': page.csp,
        'Cache-Control': 'no-store',
      });
      res.send(page.html);
    });
  }
  return router;
}
