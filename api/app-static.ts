import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler, type Router } from 'express';

/** Where `npm run build:app` (vite build app) writes the business app. */
export const APP_DIST = join(import.meta.dirname, '..', 'app', 'dist');

/**
 * The app's own scripts and styles only. Styles allow inline attributes: the dialog
 * primitives set scroll-lock styles at run time; scripts stay strictly same-origin.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const THEME = /(?:^|;\s*)leadflow_theme=(light|dark)(?:;|$)/;

/**
 * Serves app/dist at /app: hashed assets cached for a year, index.html never cached and
 * answered for every other /app path (the app routes in the browser). index.html is
 * read once and carries the theme from its cookie, so a dark page never flashes light.
 */
export function appStatic(opts: { dist?: string } = {}): Router {
  const dist = opts.dist ?? APP_DIST;
  const router = express.Router();
  let index: string | null = null;
  const readIndex = () => {
    if (index === null && existsSync(join(dist, 'index.html'))) index = readFileSync(join(dist, 'index.html'), 'utf8');
    return index;
  };

  router.use(
    '/app/assets',
    express.static(join(dist, 'assets'), {
      index: false,
      fallthrough: false,
      immutable: true,
      maxAge: '365d',
      setHeaders: (res) => res.setHeader('Content-Security-Policy', APP_CSP),
    }),
  );

  const page: RequestHandler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const html = readIndex();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', APP_CSP);
    if (html === null) {
      res.status(503).type('text').send('The app is not built: run `npm run build:app`.\n');
      return;
    }
    const theme = THEME.exec(req.get('cookie') ?? '')?.[1];
    res.type('html').send(theme ? html.replace('<html lang="en">', `<html lang="en" data-theme="${theme}">`) : html);
  };
  router.get('/app', page);
  router.get('/app/{*rest}', page);
  return router;
}
