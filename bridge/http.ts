import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../shared/logger';

export interface HealthReport {
  healthy: boolean;
  ready: boolean;
}

export interface BridgeHttpOptions {
  port: number;
  host?: string;
  registry: Registry;
  health: () => HealthReport;
  logger: Logger;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

async function route(req: IncomingMessage, res: ServerResponse, options: BridgeHttpOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, 'text/plain', 'method not allowed\n');
  if (path === '/metrics')
    return send(res, 200, options.registry.contentType, await options.registry.metrics());
  if (path === '/healthz' || path === '/readyz') {
    const report = options.health();
    const ok = path === '/healthz' ? report.healthy : report.ready;
    return send(res, ok ? 200 : 503, 'application/json', JSON.stringify(report) + '\n');
  }
  send(res, 404, 'text/plain', 'not found\n');
}

/**
 * Plain http: `/metrics` (Prometheus text), `/healthz` (liveness: 200 while starting or running)
 * and `/readyz` (200 once running); both health answers carry the JSON health report.
 */
export function startBridgeHttp(options: BridgeHttpOptions): Promise<Server> {
  const server = createServer((req, res) => {
    route(req, res, options).catch((err: unknown) => {
      options.logger.warn('http request failed', { path: req.url, error: err });
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}
