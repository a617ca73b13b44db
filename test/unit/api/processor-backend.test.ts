import { MemoryBackend } from '../../../api/memory-backend';
import { MAX_TWIN_BYTES } from '../../../topology/twin-codec';
import { putTwin, twinFixture } from './harness';

/**
 * ProcessorBackend, the service's backend, over the processor's own decodeInput and foldTwin and an
 * in-memory store (MemoryBackend): the semantics REST users get, without a broker.
 */
const NOW = Date.now();
const iso = (ms: number): string => new Date(ms).toISOString();

let backend: MemoryBackend;
beforeEach(() => {
  backend = new MemoryBackend({ now: () => NOW });
});
// Whatever the API accepted, the processor folded: nothing was dead-lettered.
afterEach(() => expect(backend.log.deadLetters).toEqual([]));

const failure = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => 'resolved',
    (err: unknown) => err,
  );

/** A twin registered over REST whose device has spoken (active, online). */
async function activeTwin(id = 'a'): Promise<void> {
  await backend.registerTwin({ id, type: 't', attributes: { keep: 1 } });
  backend.log.fold('status', id, { status: 'online' });
}

describe('registry', () => {
  it('registers a twin pending at version 1 until its device speaks; rejects duplicates', async () => {
    await backend.registerTwin({ id: 'a', type: 't', attributes: { x: 1 } });
    expect(await backend.getTwin('a')).toMatchObject({
      id: 'a',
      lifecycle: 'pending',
      version: 1,
      attributes: { x: 1 },
      connection: { status: 'unknown', since: null, lastSeen: null },
      createdAt: iso(NOW),
    });
    expect(await failure(backend.registerTwin({ id: 'a', type: 't', attributes: {} }))).toMatchObject({
      code: 'ALREADY_EXISTS',
    });
    backend.log.fold('telemetry', 'a', { t: 1 });
    expect((await backend.getTwin('a'))?.lifecycle).toBe('active');
  });

  it('replaces the attributes on PUT /twins/{id} and PUT /metadata, never merges them', async () => {
    await backend.registerTwin({ id: 'a', type: 't', attributes: { old: 1, kept: 'x' } });
    await backend.updateTwin('a', { attributes: { kept: 'y', added: true } });
    expect((await backend.getTwin('a'))?.attributes).toEqual({ kept: 'y', added: true });
    await backend.setAttributes('a', { only: 2 });
    expect((await backend.getTwin('a'))?.attributes).toEqual({ only: 2 });
    await backend.updateTwin('a', { type: 'u' });
    expect(await backend.getTwin('a')).toMatchObject({ type: 'u', attributes: { only: 2 } });
  });

  it('answers 404 to every write for an unknown twin and invents none', async () => {
    const writes = [
      backend.patchDesired('nobody', { x: 1 }),
      backend.queueCommand('nobody', { action: 'x', parameters: {} }),
      backend.updateTwin('nobody', { type: 't' }),
      backend.setAttributes('nobody', { a: 1 }),
      backend.setLifecycle('nobody', 'suspend'),
      backend.setLifecycle('nobody', 'decommission'),
      backend.deleteTwin('nobody'),
    ];
    for (const write of writes) expect(await failure(write)).toMatchObject({ code: 'TWIN_NOT_FOUND' });
    expect(await backend.getTwin('nobody')).toBeUndefined();
    expect(await backend.listCommands('nobody')).toBeUndefined();
    expect(await backend.getCommand('nobody', 'c')).toBeUndefined();
  });

  it('refuses a lifecycle transition the twin does not allow with 409', async () => {
    await activeTwin();
    expect(await failure(backend.setLifecycle('a', 'resume'))).toMatchObject({
      code: 'LIFECYCLE_CONFLICT',
      message: 'cannot resume twin a: it is active',
    });
    await backend.setLifecycle('a', 'suspend');
    expect(await failure(backend.setLifecycle('a', 'suspend'))).toMatchObject({ code: 'LIFECYCLE_CONFLICT' });
    await backend.setLifecycle('a', 'resume');
    expect((await backend.getTwin('a'))?.lifecycle).toBe('active');
  });

  it('refuses desired patches and commands to a suspended twin with 409', async () => {
    await activeTwin();
    await backend.setLifecycle('a', 'suspend');
    const before = (await backend.getTwin('a'))!.version;
    expect(await failure(backend.patchDesired('a', { x: 1 }))).toMatchObject({ code: 'LIFECYCLE_CONFLICT' });
    expect(await failure(backend.queueCommand('a', { action: 'x', parameters: {} }))).toMatchObject({
      code: 'LIFECYCLE_CONFLICT',
    });
    expect((await backend.getTwin('a'))?.version).toBe(before);
  });

  it('decommissions: open commands fail, and nothing but delete is accepted afterwards', async () => {
    await backend.registerTwin({ id: 'a', type: 't', attributes: {} });
    const queued = await backend.queueCommand('a', { action: 'x', parameters: {} });
    await backend.setLifecycle('a', 'decommission');
    expect(await backend.getTwin('a')).toMatchObject({ lifecycle: 'decommissioned' });
    expect(await backend.getCommand('a', queued.command_id)).toMatchObject({
      status: 'failed',
      error: 'decommissioned',
      failedAt: iso(NOW),
    });
    for (const write of [
      backend.setLifecycle('a', 'decommission'),
      backend.setLifecycle('a', 'resume'),
      backend.patchDesired('a', { x: 1 }),
      backend.updateTwin('a', { type: 'u' }),
    ])
      expect(await failure(write)).toMatchObject({ code: 'LIFECYCLE_CONFLICT' });
    await backend.deleteTwin('a');
    expect(await backend.getTwin('a')).toBeUndefined();
  });

  it('keeps counting versions across delete and re-create', async () => {
    await activeTwin();
    await backend.patchDesired('a', { x: 1 });
    const last = (await backend.getTwin('a'))!.version;
    await backend.deleteTwin('a');
    expect(await backend.getTwin('a')).toBeUndefined();
    expect(await backend.listTwins({ limit: 10, filter: {} })).toMatchObject({ twins: [] });
    expect(await failure(backend.patchDesired('a', { x: 1 }))).toMatchObject({ code: 'TWIN_NOT_FOUND' });
    await backend.registerTwin({ id: 'a', type: 't', attributes: {} });
    // last + 1 is the deletion's (the tombstone's) version; the new twin comes after it.
    expect(await backend.getTwin('a')).toMatchObject({
      version: last + 2,
      lifecycle: 'pending',
      desired: {},
    });
    await backend.deleteTwin('a');
    backend.log.fold('telemetry', 'a', { t: 1 });
    expect(await backend.getTwin('a')).toMatchObject({ version: last + 4, lifecycle: 'active' });
  });
});

describe('commands', () => {
  it('queues with the defaults (priority 0, a UUID, COMMAND_TTL_MS) and the lifecycle words', async () => {
    await backend.registerTwin({ id: 'a', type: 't', attributes: {} });
    const command = await backend.queueCommand('a', { action: 'reboot', parameters: {} });
    expect(command).toEqual({
      command_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      action: 'reboot',
      parameters: {},
      priority: 0,
      status: 'pending',
      timestamp: iso(NOW),
      expiresAt: iso(NOW + 3_600_000),
      updatedAt: iso(NOW),
      attempts: 0,
    });
    expect((await backend.getTwin('a'))?.commands.pending).toBe(1);
    expect(await backend.getCommand('a', command.command_id)).toEqual(command);

    backend.log.fold('status', 'a', { status: 'online' });
    expect(await backend.getCommand('a', command.command_id)).toMatchObject({
      status: 'delivered',
      attempts: 1,
      deliveredAt: iso(NOW),
    });
    backend.log.fold('ack', 'a', { command_id: command.command_id, status: 'SUCCESS', result: { up: 3 } });
    expect(await backend.getCommand('a', command.command_id)).toMatchObject({
      status: 'acknowledged',
      ackStatus: 'SUCCESS',
      result: { up: 3 },
      acknowledgedAt: iso(NOW),
      attempts: 1,
    });
  });
});

describe('writes the processor or the bridge would refuse are refused before anything is produced', () => {
  const nested = (depth: number): Record<string, unknown> => {
    let value: Record<string, unknown> = { leaf: 1 };
    for (let i = 1; i < depth; i++) value = { n: value };
    return value;
  };
  const fields = (n: number): Record<string, number> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));

  it.each([
    ['31 levels deep (33 in its downlink)', nested(31), 'LIMIT_EXCEEDED'],
    ['of 500 fields (desired plus delta: over 1000 keys in its downlink)', fields(500), 'LIMIT_EXCEEDED'],
    ['of 999 keys (over the processor limit with its envelope)', fields(999), 'LIMIT_EXCEEDED'],
    ['whose downlink is over MAX_PAYLOAD_BYTES', { big: 'x'.repeat(140_000) }, 'PAYLOAD_TOO_LARGE'],
  ])('a desired patch %s', async (_what, patch, code) => {
    await activeTwin();
    const before = await backend.getTwin('a');
    expect(await failure(backend.patchDesired('a', patch as never))).toMatchObject({ code });
    expect(await backend.getTwin('a')).toEqual(before);
  });

  it('just within the limits is accepted', async () => {
    await activeTwin();
    await backend.patchDesired('a', nested(30) as never);
    await backend.patchDesired('a', { big: 'x'.repeat(120_000) });
  });

  it('a write that would grow the twin past the store limit', async () => {
    await activeTwin();
    const chunk = 'x'.repeat(210_000);
    // The device's own readings (nothing the API checks) bring the twin near its limit.
    backend.log.fold('telemetry', 'a', { r1: chunk });
    backend.log.fold('telemetry', 'a', { r2: chunk });
    const refused = await failure(backend.patchDesired('a', { d: 'x'.repeat(110_000) }));
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { maxTwinBytes: MAX_TWIN_BYTES } });
    expect((await backend.getTwin('a'))!.desired).toEqual({});
  });

  it('a command whose downlink has too many keys, online or not', async () => {
    await backend.registerTwin({ id: 'a', type: 't', attributes: {} });
    const command = { action: 'x', parameters: fields(996) };
    expect(await failure(backend.queueCommand('a', command))).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(await backend.listCommands('a')).toEqual([]);
  });
});

describe('reads', () => {
  it('returns copies, never its own state', async () => {
    putTwin(backend, twinFixture('a'));
    const twin = await backend.getTwin('a');
    twin!.reported.temperature = 99;
    expect((await backend.getTwin('a'))?.reported.temperature).toBe(23.5);
  });

  it('pages in id order and rejects cursors it did not issue', async () => {
    for (const id of ['c', 'a', 'e', 'b', 'd']) putTwin(backend, twinFixture(id));
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await backend.listTwins({ limit: 2, filter: {}, ...(cursor ? { cursor } : {}) });
      ids.push(...page.twins.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await failure(backend.listTwins({ limit: 2, filter: {}, cursor: '!!' }))).toMatchObject({
      code: 'VALIDATION_ERROR',
    });
  });

  it('reports the readiness it was given', () => {
    expect(backend.readiness()).toEqual({ ready: true, status: 'running' });
    backend.setReadiness({ ready: false, status: 'restoring' });
    expect(backend.readiness().ready).toBe(false);
  });
});
