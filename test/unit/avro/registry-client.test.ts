import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SchemaRegistryClient } from '../../../shared/avro/registry-client';
import { isTwinfoldError } from '../../../shared/errors';

/** A stand-in answering with a fixed status per path, recording what it was asked. */
function stub(
  answers: Record<string, [number, string]>,
): Promise<{ server: Server; url: string; seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const [status, body] = answers[req.url ?? ''] ?? [404, '{"error_code":40401}'];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/apis/ccompat/v7`,
        seen,
      }),
    ),
  );
}

async function failure(p: Promise<unknown>): Promise<{ code: string; retriable: boolean }> {
  try {
    await p;
  } catch (err) {
    if (isTwinfoldError(err)) return { code: err.code, retriable: err.retriable };
  }
  throw new Error('expected a TwinfoldError');
}

describe('SchemaRegistryClient', () => {
  it('sends basic auth, reads ids and schemas, and tells a refusal (4xx) from an outage (5xx)', async () => {
    const { server, url, seen } = await stub({
      '/apis/ccompat/v7/subjects/t-value/versions': [200, '{"id":12}'],
      '/apis/ccompat/v7/schemas/ids/12': [200, '{"schema":"\\"string\\""}'],
      '/apis/ccompat/v7/config/bad-value': [409, '{"error_code":409}'],
      '/apis/ccompat/v7/config/down-value': [503, 'busy'],
    });
    try {
      const client = new SchemaRegistryClient({ url, username: 'u', password: 'p:w' });
      expect(await client.register('t-value', '"string"')).toBe(12);
      expect(seen[0]?.authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
      expect(await client.schemaById(12)).toBe('"string"');
      expect(await client.schemaById(13)).toBeUndefined();
      expect(await failure(client.setCompatibility('bad-value', 'BACKWARD'))).toEqual({
        code: 'UPSTREAM_ERROR',
        retriable: false,
      });
      expect(await failure(client.setCompatibility('down-value', 'BACKWARD'))).toEqual({
        code: 'UPSTREAM_ERROR',
        retriable: true,
      });
    } finally {
      server.close();
    }
  });
});
