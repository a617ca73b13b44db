import { Registry } from 'prom-client';
import { createApp } from '../../../api/app';
import { allowAll } from '../../../api/auth';
import { MemoryBackend } from '../../../api/memory-backend';
import { startApiServer } from '../../../api/server';
import type { TwinDocument } from '../../../api/twin-document';
import { createLogger } from '../../../shared/logger';
import { putTwin, twinFixture } from './harness';

function app(backend = new MemoryBackend()) {
  return createApp({
    backend,
    logger: createLogger({ write: () => undefined }),
    metricsRegistry: new Registry(),
    maxBodyBytes: 1024,
    auth: allowAll,
  });
}

/** A backend whose getTwin waits until released. */
function slowBackend(): { backend: MemoryBackend; release: () => void; entered: Promise<void> } {
  const backend = new MemoryBackend();
  putTwin(backend, twinFixture('sensor-001'));
  let release!: () => void;
  let enter!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const original = backend.getTwin.bind(backend);
  jest.spyOn(backend, 'getTwin').mockImplementation(async (id: string): Promise<TwinDocument | undefined> => {
    enter();
    await gate;
    return original(id);
  });
  return { backend, release, entered };
}

describe('startApiServer', () => {
  it('listens on a free port and reports a loopback URL', async () => {
    const server = await startApiServer(app(), '127.0.0.1', 0);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('shows a wildcard host as loopback', async () => {
    const server = await startApiServer(app(), '0.0.0.0', 0);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await startApiServer(app(), '127.0.0.1', 0);
    try {
      const port = Number(new URL(first.url).port);
      await expect(startApiServer(app(), '127.0.0.1', port)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });

  it('closes gracefully: in-flight requests finish, new connections are refused', async () => {
    const { backend, release, entered } = slowBackend();
    const server = await startApiServer(app(backend), '127.0.0.1', 0);
    const inFlight = fetch(`${server.url}/api/v1/twins/sensor-001`);
    await entered;
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(false);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    release();
    expect((await inFlight).status).toBe(200);
    await closing;
    expect(closed).toBe(true);
    await expect(server.close()).resolves.toBeUndefined();
  });

  it('force-closes requests still running after the grace period', async () => {
    const { backend, release, entered } = slowBackend();
    const server = await startApiServer(app(backend), '127.0.0.1', 0, { shutdownTimeoutMs: 100 });
    const inFlight = fetch(`${server.url}/api/v1/twins/sensor-001`);
    await entered;
    await server.close();
    await expect(inFlight).rejects.toThrow();
    release();
  });
});
