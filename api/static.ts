import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import express, { type RequestHandler } from 'express';

/**
 * Where `npm run build` puts the dashboard (dashboard/, built by Vite): dist/dashboard. From
 * dist/api/ that is ../dashboard; from the sources (ts-jest) it is ../dist/dashboard.
 */
export function defaultDashboardDir(): string {
  const root = dirname(__dirname);
  return basename(root) === 'dist' ? join(root, 'dashboard') : join(root, 'dist', 'dashboard');
}

/**
 * Everything the page loads comes from this origin; the token travels only in the Authorization
 * header of fetch calls (connect-src 'self'), and no other site may frame the page.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The dashboard's static files at `/` (index.html, never cached) and `/assets/` (content-hashed
 * names, cached for a year). Public like /healthz: the page holds no data; every API call it
 * makes carries the user's token. Absent build output: nothing is served (GET / stays 404).
 */
export function dashboardStatic(dir: string): RequestHandler | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  return express.static(dir, {
    index: 'index.html',
    redirect: false,
    fallthrough: true,
    setHeaders(res, path) {
      if (path.endsWith('.html')) {
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
        res.setHeader('Referrer-Policy', 'no-referrer');
      } else {
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      }
    },
  });
}
