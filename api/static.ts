import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';

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

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

interface Asset {
  type: string;
  headers: Record<string, string>;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function loadAsset(path: string): Asset {
  const identity = readFileSync(path);
  const html = path.endsWith('.html');
  return {
    type: TYPES[extname(path)] ?? 'application/octet-stream',
    // index.html names the current hashed assets: revalidated every time; the assets never change.
    headers: html
      ? {
          'Cache-Control': 'no-cache',
          'Content-Security-Policy': DASHBOARD_CSP,
          'Referrer-Policy': 'no-referrer',
        }
      : { 'Cache-Control': 'public, max-age=31536000, immutable' },
    identity,
    gzip: gzipSync(identity, { level: 9 }),
    br: brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
  };
}

function send(req: Request, res: Response, asset: Asset): void {
  // Brotli when accepted at all (browsers list gzip first, with the same weight), else gzip.
  const encoding = (['br', 'gzip'] as const).find((e) => req.acceptsEncodings(e) === e);
  const body = encoding ? asset[encoding] : asset.identity;
  res.set(asset.headers);
  res.set('Vary', 'Accept-Encoding');
  res.type(asset.type);
  if (encoding) res.set('Content-Encoding', encoding);
  res.set('Content-Length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The dashboard's files at `/` (index.html) and `/assets/…`, read once at start and kept with
 * their brotli and gzip forms (about 100 KB in all), so no request touches the disk and no path
 * from a request ever names a file. Public like /healthz: the page holds no data; every API call
 * it makes carries the user's token. No build output: nothing is served (GET / stays 404).
 */
export function dashboardStatic(dir: string): RequestHandler | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const assets = new Map<string, Asset>();
  for (const path of filesUnder(dir))
    assets.set(`/${relative(dir, path).split(sep).join('/')}`, loadAsset(path));
  assets.set('/', assets.get('/index.html')!);
  return (req, res, next) => {
    const asset = req.method === 'GET' || req.method === 'HEAD' ? assets.get(req.path) : undefined;
    if (asset) send(req, res, asset);
    else next();
  };
}
