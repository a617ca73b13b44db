import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { AuthCheck } from '../../../../api/auth';
import { ForwardMetrics } from '../../../../api/routing/forward-metrics';
import { PeerClient } from '../../../../api/routing/peer-client';
import { RemoteBackend } from '../../../../api/routing/remote-backend';
import { FORWARDED_HEADER, withRequestContext } from '../../../../api/routing/request-context';
import { isTwinfoldError, TwinfoldError } from '../../../../shared/errors';
import { startTestApi, putTwin, twinFixture, type TestApi } from '../harness';

/** What a failed call threw: its code and details. */
async function failure(call: Promise<unknown>): Promise<{ code: string; details?: Record<string, unknown> }> {
  try {
    await call;
  } catch (err) {
    if (isTwinfoldError(err)) return { code: err.code, ...(err.details ? { details: err.details } : {}) };
    throw err;
  }
  throw new Error('expected the call to fail');
}

/** A server that accepts requests and never answers them. */
async function silentServer(): Promise<{ url: string; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('RemoteBackend over PeerClient', () => {
  let peer: TestApi;
  let seen: IncomingHttpHeaders[];
  let registry: Registry;
  let client: PeerClient;
  let remote: RemoteBackend;

  beforeEach(async () => {
    seen = [];
    const recordingAuth: AuthCheck = (req) => {
      seen.push(req.headers);
    };
    peer = await startTestApi({ auth: recordingAuth });
    putTwin(peer.backend, twinFixture('sensor-001'));
    registry = new Registry();
    client = new PeerClient({ self: 'http://me:1', timeoutMs: 300, metrics: new ForwardMetrics(registry) });
    remote = new RemoteBackend(client, peer.url);
  });
  afterEach(async () => {
    client.close();
    await peer.close();
  });

  it('reads as the peer would answer locally, undefined for what does not exist', async () => {
    expect(await remote.getTwin('sensor-001')).toEqual(await peer.backend.getTwin('sensor-001'));
    expect(await remote.getTwin('nope')).toBeUndefined();
    expect(await remote.listCommands('nope')).toBeUndefined();
    expect(await remote.getCommand('sensor-001', 'c-1')).toBeUndefined();
    const page = await remote.listTwins({ limit: 10, filter: { attributes: { location: 'Room A' } } });
    expect(page.twins.map((t) => t.id)).toEqual(['sensor-001']);
  });

  it('writes through the routes and returns what the peer returned', async () => {
    const queued = await remote.queueCommand('sensor-001', {
      action: 'reboot',
      parameters: { delay: 2 },
      priority: 3,
      ttlMs: 60_000,
    });
    // The twin is online, so the command is delivered as soon as it is folded.
    const { command_id, action, parameters, priority } = queued;
    const delivered = { command_id, action, parameters, priority, status: 'delivered', attempts: 1 };
    expect(await remote.getCommand('sensor-001', queued.command_id)).toMatchObject(delivered);
    expect(await remote.listCommands('sensor-001')).toMatchObject([delivered]);
    const { version } = (await remote.getTwin('sensor-001'))!;
    const patched = await remote.patchDesired('sensor-001', { interval: 30 }, version);
    expect(patched).toMatchObject({ id: 'sensor-001', ifVersion: version, version: version + 1 });
    expect(await failure(remote.patchDesired('sensor-001', { interval: 31 }, version))).toMatchObject({
      code: 'VERSION_CONFLICT',
    });
    await remote.registerTwin({ id: 'new-1', type: 'lamp', attributes: { room: 'B' } });
    await remote.updateTwin('new-1', { type: 'lamp2' });
    await remote.setAttributes('new-1', { room: 'C' });
    await remote.injectState('new-1', { on: true });
    await remote.setLifecycle('new-1', 'suspend');
    expect(await peer.backend.getTwin('new-1')).toMatchObject({
      type: 'lamp2',
      attributes: { room: 'C' },
      reported: { on: true },
      lifecycle: 'suspended',
    });
    await remote.deleteTwin('new-1');
    expect(await peer.backend.getTwin('new-1')).toBeUndefined();
  });

  it("marks the hop, passes the caller's Authorization through unchanged and nothing else of it", async () => {
    await withRequestContext({ authorization: 'Bearer caller-token', forwarded: false }, () =>
      remote.getTwin('sensor-001'),
    );
    const headers = seen[0]!;
    expect(headers[FORWARDED_HEADER]).toBe('http://me:1');
    expect(headers.authorization).toBe('Bearer caller-token');
    expect(headers.host).toBe(new URL(peer.url).host);
    expect(headers['x-forwarded-host']).toBeUndefined();
  });

  it("passes the peer's 503 on as NOT_READY with its Retry-After", async () => {
    peer.backend.getTwin = async () => {
      throw new TwinfoldError('NOT_READY', 'restoring', {
        retriable: true,
        details: { retryAfterSeconds: 3 },
      });
    };
    expect(await failure(remote.getTwin('sensor-001'))).toMatchObject({
      code: 'NOT_READY',
      details: { retryAfterSeconds: 3, forwardedTo: peer.url },
    });
  });

  it('answers NOT_READY when the peer refuses the connection (nothing was sent), read or write', async () => {
    const url = peer.url;
    await peer.close();
    const gone = new RemoteBackend(client, url);
    expect((await failure(gone.getTwin('sensor-001'))).code).toBe('NOT_READY');
    expect((await failure(gone.patchDesired('sensor-001', { a: 1 }))).code).toBe('NOT_READY');
    const metrics = await registry.metrics();
    expect(metrics).toContain('twinfold_api_forward_errors_total{operation="getTwin",reason="refused"} 1');
  });

  it('times out: a read becomes NOT_READY (safe to retry), a write TIMEOUT (it may have applied)', async () => {
    const silent = await silentServer();
    try {
      const slow = new RemoteBackend(client, silent.url);
      expect((await failure(slow.getTwin('sensor-001'))).code).toBe('NOT_READY');
      expect((await failure(slow.queueCommand('sensor-001', { action: 'x', parameters: {} }))).code).toBe(
        'TIMEOUT',
      );
      expect(await registry.metrics()).toContain(
        'twinfold_api_forward_errors_total{operation="queueCommand",reason="timeout"} 1',
      );
    } finally {
      silent.server.closeAllConnections();
      await new Promise((r) => silent.server.close(r));
    }
  });

  it('waits longer for a read that asks to wait for a version', async () => {
    peer.backend.getTwin = async (id) => {
      await new Promise((r) => setTimeout(r, 500)); // longer than the 300 ms timeout
      return twinFixture(id);
    };
    await expect(remote.getTwin('sensor-001', { minVersion: 1, waitMs: 1000 })).resolves.toMatchObject({
      id: 'sensor-001',
    });
    expect((await failure(remote.getTwin('sensor-001'))).code).toBe('NOT_READY');
  });
});
