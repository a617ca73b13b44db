import { isGrave } from '../../../../topology/twin';
import { storedTwinCodec } from '../../../../topology/twin-codec';
import { TaskDriver } from '../../../support/task-driver';

/** The fake wall clock's start; no real clock is involved anywhere in these tests. */
const T0 = Date.UTC(2030, 0, 1);
const SEC = 1000;
const MIN = 60 * SEC;
const OFFLINE_AFTER = 5 * MIN;

async function driver(options: Partial<Parameters<typeof TaskDriver.start>[0]> = {}): Promise<TaskDriver> {
  return TaskDriver.start({ startMs: T0, foldConfig: { offlineAfterMs: OFFLINE_AFTER }, ...options });
}

describe('PartitionTask through the task driver: folding', () => {
  it('folds records into the store and commits changelog, twin document, events and offsets together', async () => {
    const d = await driver();
    await d.pipeBatch('telemetry', [
      { deviceId: 'dev-1', value: { temperature: 21 }, timestampMs: T0 },
      { deviceId: 'dev-1', value: { temperature: 22 }, timestampMs: T0 + SEC },
      { deviceId: 'dev-2', value: { humidity: 40 }, timestampMs: T0 + SEC },
    ]);
    const twin = await d.twin('dev-1');
    expect(twin?.reported).toMatchObject({ temperature: 22 });
    expect(twin?.version).toBe(2);
    expect(d.committer.commits).toBe(1);
    // One changelog record per changed key (the cache keeps only the latest), the document per fold.
    expect(d.changelog().map((e) => e.key)).toEqual(['dev-1', 'dev-2']);
    expect(d.twins().map((t) => [t.key, t.version])).toEqual([
      ['dev-1', '1'],
      ['dev-1', '2'],
      ['dev-2', '1'],
    ]);
    expect(
      d
        .events()
        .filter((e) => e.type === 'twin.created')
        .map((e) => e.key),
    ).toEqual(['dev-1', 'dev-2']);
    expect(d.committer.offsets.get(d.inputTopic('telemetry'))).toBe('3');
    expect(d.notices).toHaveLength(1);
    expect(d.notices[0]!.changes.map((c) => [c.deviceId, c.version])).toEqual([
      ['dev-1', 1],
      ['dev-1', 2],
      ['dev-2', 1],
    ]);
    expect(d.task.counts).toMatchObject({ online: 2 });
  });

  it('queues a command for an online twin and sends it down', async () => {
    const d = await driver();
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { temperature: 21 } });
    await d.pipe('command', { deviceId: 'dev-1', value: { command_id: 'c-1', action: 'reboot' } });
    expect(d.downlink()).toEqual([
      {
        key: 'dev-1',
        message: expect.objectContaining({
          kind: 'command',
          payload: expect.objectContaining({ command_id: 'c-1', action: 'reboot' }),
        }),
      },
    ]);
  });
});

describe('PartitionTask through the task driver: dead letters', () => {
  it('dead-letters bad JSON with its original bytes and reason, and folds the rest of the batch', async () => {
    const d = await driver();
    const bad = Buffer.from('{"temperature": 2', 'utf8');
    await d.pipeBatch('telemetry', [
      { deviceId: 'dev-1', value: bad },
      { deviceId: 'dev-2', value: { temperature: 3 } },
    ]);
    expect(d.deadLetters()).toEqual([
      { key: 'dev-1', value: bad, code: expect.any(String), message: expect.any(String), sourceOffset: '0' },
    ]);
    expect(d.deadLetters()[0]!.code).not.toBe('INTERNAL');
    expect(await d.twin('dev-1')).toBeUndefined();
    expect((await d.twin('dev-2'))?.reported).toEqual({ temperature: 3 });
    expect(d.committer.offsets.get(d.inputTopic('telemetry'))).toBe('2');
  });

  it('dead-letters a record that would grow the twin past the size limit, leaving the twin as it was', async () => {
    const d = await driver({ limits: { maxBytes: 400 * 1024 } });
    const big = (n: number): string => 'x'.repeat(n);
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { a: big(300 * 1024) } });
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { b: big(300 * 1024) } });
    expect(d.deadLetters().map((l) => l.code)).toEqual(['LIMIT_EXCEEDED']);
    const twin = await d.twin('dev-1');
    expect(twin?.version).toBe(1);
    expect(Object.keys(twin?.reported ?? {})).toEqual(['a']);
    expect(d.twins()).toHaveLength(1);
  });
});

describe('PartitionTask through the task driver: timers', () => {
  it('marks a silent twin unknown once its silence exceeds offlineAfterMs, from the moment it did', async () => {
    const d = await driver();
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { t: 1 }, timestampMs: T0 });
    d.clock.advance(OFFLINE_AFTER);
    await d.tick();
    expect((await d.twin('dev-1'))?.connection.status).toBe('online');
    d.clock.advance(30 * SEC);
    await d.tick();
    const twin = await d.twin('dev-1');
    expect(twin?.connection).toMatchObject({ status: 'unknown', since: T0 + OFFLINE_AFTER, lastSeen: T0 });
    expect(d.events().map((e) => e.type)).toContain('connection.unknown');
    expect(d.notices.at(-1)!.changes[0]).toMatchObject({ deviceId: 'dev-1', version: 2 });
  });

  it('expires a command whose time to live has passed', async () => {
    const d = await driver();
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { t: 1 } });
    await d.pipe('command', { deviceId: 'dev-1', value: { command_id: 'c-1', action: 'reboot', ttl: 60 } });
    d.clock.advance(61 * SEC);
    await d.tick();
    const statuses = d
      .events()
      .filter((e) => e.type === 'command.status')
      .map((e) => e.data.status);
    expect(statuses.at(-1)).toMatch(/^expired$/i);
  });
});

describe('PartitionTask through the task driver: restore', () => {
  it('rebuilds the store and its timers from the changelog', async () => {
    const first = await driver();
    await first.pipe('telemetry', { deviceId: 'dev-1', value: { t: 1 }, timestampMs: T0 });
    await first.pipe('telemetry', { deviceId: 'dev-2', value: { t: 2 }, timestampMs: T0 });
    await first.pipe('registry', { deviceId: 'dev-2', value: { op: 'delete' } });
    const changelog = first.changelog();
    // The delete leaves a grave (not a tombstone) so a re-created dev-2 continues its versions.
    const graves = changelog.map((e) => [
      e.key,
      e.value !== null && isGrave(storedTwinCodec.decode(e.value)),
    ]);
    expect(graves).toEqual([
      ['dev-1', false],
      ['dev-2', false],
      ['dev-2', true],
    ]);
    // device.twins gets the tombstone, headed with the version the deletion got (the grave's).
    const tombstone = first.twins().find((t) => t.key === 'dev-2' && t.document === null);
    expect(tombstone?.version).toBe('2');

    const second = await driver({ changelog });
    expect(await second.twin('dev-1')).toEqual(await first.twin('dev-1'));
    expect(await second.twin('dev-2')).toBeUndefined();
    expect(second.task.counts).toMatchObject({ online: 1 });
    second.clock.advance(OFFLINE_AFTER + SEC);
    await second.tick();
    expect((await second.twin('dev-1'))?.connection.status).toBe('unknown');
  });
});

describe('PartitionTask through the task driver: records fetched again', () => {
  it('skips records it has already folded and committed (a re-join that read stale offsets)', async () => {
    const d = await driver();
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { t: 1 } });
    const first = { deviceId: 'dev-1', value: { patch: { mode: 'eco' } } };
    const second = { deviceId: 'dev-1', value: { patch: { mode: 'boost' } } };
    await d.pipeBatch('desired', [first]);
    await d.pipeBatch('desired', [second]);
    // Fetched again from offset 0: folding `first` again would set mode back to eco for a moment.
    await d.pipeBatch('desired', [first, second, { deviceId: 'dev-1', value: { patch: { level: 3 } } }], {
      fromOffset: 0,
    });
    const twin = await d.twin('dev-1');
    expect(twin?.desired).toEqual({ mode: 'boost', level: 3 });
    expect(twin?.version).toBe(4);
    expect(d.twins().map((t) => t.version)).toEqual(['1', '2', '3', '4']);
    expect(d.committer.offsets.get(d.inputTopic('desired'))).toBe('3');
  });

  it('skips nothing a failed commit left unfolded', async () => {
    const d = await driver();
    d.committer.failNext(new Error('transaction aborted'));
    const batch = [{ deviceId: 'dev-1', value: { t: 1 } }];
    await expect(d.pipeBatch('telemetry', batch)).rejects.toThrow('transaction aborted');
    await d.pipeBatch('telemetry', batch, { fromOffset: 0 });
    expect((await d.twin('dev-1'))?.version).toBe(1);
  });
});

describe('PartitionTask through the task driver: a failed commit', () => {
  it('discards the dirty cache entries, so the retried batch folds from the committed twin', async () => {
    const d = await driver();
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { t: 1 } });
    d.committer.failNext(new Error('transaction aborted'));
    await expect(d.pipe('telemetry', { deviceId: 'dev-1', value: { t: 2 } })).rejects.toThrow(
      'transaction aborted',
    );
    expect((await d.twin('dev-1'))?.version).toBe(1);
    expect(d.notices).toHaveLength(1);
    // The same record again (kafkajs retries the batch): version 2, not 3 from the discarded fold.
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { t: 2 } });
    const twin = await d.twin('dev-1');
    expect(twin?.version).toBe(2);
    expect(twin?.reported).toEqual({ t: 2 });
    expect(d.twins().map((t) => t.version)).toEqual(['1', '2']);
  });
});
