import { MemoryBackend } from '../../../api/memory-backend';
import { TwinfoldError } from '../../../shared/errors';
import { twinFixture } from './harness';

const NOW = new Date('2026-11-24T12:00:00.000Z');

describe('MemoryBackend', () => {
  let backend: MemoryBackend;
  beforeEach(() => {
    backend = new MemoryBackend({ now: () => NOW });
  });

  it('registers a twin with version 1 and rejects duplicates', async () => {
    await backend.registerTwin({ id: 'a', type: 't', attributes: { x: 1 } });
    expect(await backend.getTwin('a')).toMatchObject({
      id: 'a',
      lifecycle: 'active',
      version: 1,
      connection: { status: 'unknown', since: null, lastSeen: null },
      createdAt: NOW.toISOString(),
    });
    await expect(backend.registerTwin({ id: 'a', type: 't', attributes: {} })).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
    });
  });

  it('returns copies, never its own state', async () => {
    backend.putTwin(twinFixture('a'));
    const twin = await backend.getTwin('a');
    twin!.reported.temperature = 99;
    expect((await backend.getTwin('a'))?.reported.temperature).toBe(23.5);
  });

  it('folds desired patches and injected state into desired, reported, delta and metadata', async () => {
    backend.putTwin(twinFixture('a'));
    const accepted = await backend.patchDesired('a', { interval: 30, mode: 'eco' }, 17);
    expect(accepted).toEqual({
      id: 'a',
      patch: { interval: 30, mode: 'eco' },
      ifVersion: 17,
      version: 18,
      requestedAt: NOW.toISOString(),
    });
    await backend.injectState('a', { interval: 30 });
    const twin = await backend.getTwin('a');
    expect(twin).toMatchObject({
      desired: { interval: 30, mode: 'eco' },
      reported: { temperature: 23.5, humidity: 65, interval: 30 },
      delta: { mode: 'eco' },
      version: 19,
    });
    expect(twin?.metadata.desired.mode).toEqual({ timestamp: NOW.toISOString(), version: 18 });
    expect(twin?.metadata.reported.interval).toEqual({ timestamp: NOW.toISOString(), version: 19 });
  });

  it('rejects a stale ifVersion with VERSION_CONFLICT', async () => {
    backend.putTwin(twinFixture('a'));
    await expect(backend.patchDesired('a', { x: 1 }, 3)).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
  });

  it('throws TWIN_NOT_FOUND for writes to unknown twins and returns undefined for reads', async () => {
    await expect(backend.deleteTwin('nobody')).rejects.toBeInstanceOf(TwinfoldError);
    await expect(backend.queueCommand('nobody', { action: 'x', parameters: {} })).rejects.toMatchObject({
      code: 'TWIN_NOT_FOUND',
    });
    expect(await backend.getTwin('nobody')).toBeUndefined();
    expect(await backend.listCommands('nobody')).toBeUndefined();
    expect(await backend.getCommand('nobody', 'c')).toBeUndefined();
  });

  it('pages in id order and rejects cursors it did not issue', async () => {
    for (const id of ['c', 'a', 'e', 'b', 'd']) backend.putTwin(twinFixture(id));
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await backend.listTwins({ limit: 2, filter: {}, ...(cursor ? { cursor } : {}) });
      ids.push(...page.twins.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    await expect(backend.listTwins({ limit: 2, filter: {}, cursor: '!!' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('queues commands with defaults and counts them as pending', async () => {
    backend.putTwin(twinFixture('a'));
    const command = await backend.queueCommand('a', { action: 'reboot', parameters: {} });
    expect(command).toMatchObject({
      deviceId: 'a',
      priority: 5,
      status: 'pending',
      expiresAt: new Date(NOW.getTime() + 3_600_000).toISOString(),
    });
    expect((await backend.getTwin('a'))?.commands.pending).toBe(1);
    expect(await backend.getCommand('a', command.commandId)).toEqual(command);
  });

  it('reports the readiness it was given', () => {
    expect(backend.readiness()).toEqual({ ready: true, status: 'running' });
    backend.setReadiness({ ready: false, status: 'restoring' });
    expect(backend.readiness().ready).toBe(false);
  });
});
