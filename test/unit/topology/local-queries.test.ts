import { partitionForKey } from '../../../shared/partitioner';
import type { CommitNotice } from '../../../topology/commit-notice';
import { LocalTwinQueries, type LocalTaskSource } from '../../../topology/local-queries';
import { ProcessorEvents } from '../../../topology/processor-events';
import type { TwinState } from '../../../topology/twin';
import { TaskDriver } from '../../support/task-driver';

const T0 = Date.UTC(2030, 0, 1);
const PARTITIONS = 2;

/** Device ids that land on `partition` of PARTITIONS. */
function idsOn(partition: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const id = `dev-${String(i).padStart(3, '0')}`;
    if (partitionForKey(id, PARTITIONS) === partition) out.push(id);
  }
  return out;
}

/** Two partitions, each a task driver; only `served` partitions have a task here. */
async function setUp(served: number[] = [0, 1]) {
  const events = new ProcessorEvents();
  const drivers = new Map<number, TaskDriver>();
  for (const partition of served) {
    const onCommitted = (notice: CommitNotice): void => void events.emit('committed', notice);
    drivers.set(partition, await TaskDriver.start({ startMs: T0, partition, onCommitted }));
  }
  const source: LocalTaskSource = {
    events,
    partitions: PARTITIONS,
    taskManager: {
      runningTask: (p) => {
        const task = drivers.get(p)?.task;
        return task?.status === 'running' ? task : undefined;
      },
      tasks: () => [...drivers.values()].map((d) => d.task),
    },
  };
  const driverOf = (id: string): TaskDriver => drivers.get(partitionForKey(id, PARTITIONS))!;
  const report = (id: string, value: object) => driverOf(id).pipe('telemetry', { deviceId: id, value });
  return { queries: new LocalTwinQueries(source), drivers, driverOf, report };
}

const ids = (twins: TwinState[]): string[] => twins.map((t) => t.id);

describe('LocalTwinQueries', () => {
  it('reads a twin from the store of its partition', async () => {
    const { queries, report } = await setUp();
    const [a] = idsOn(0, 1);
    const [b] = idsOn(1, 1);
    await report(a!, { t: 1 });
    await report(b!, { t: 2 });
    expect((await queries.get(a!))?.reported).toEqual({ t: 1 });
    expect((await queries.get(b!))?.reported).toEqual({ t: 2 });
    expect(await queries.get(idsOn(0, 2)[1]!)).toBeUndefined();
  });

  it('refuses NOT_READY for a partition this instance does not serve', async () => {
    const { queries } = await setUp([0]);
    expect(queries.serves(0)).toBe(true);
    expect(queries.serves(1)).toBe(false);
    await expect(queries.get(idsOn(1, 1)[0]!)).rejects.toMatchObject({ code: 'NOT_READY' });
  });

  it('lists the twins of every local partition in id order, a page at a time', async () => {
    const { queries, report } = await setUp();
    const all = [...idsOn(0, 3), ...idsOn(1, 3)].sort();
    for (const id of all) await report(id, { t: 1 });
    const first = await queries.list(undefined, 4, () => true);
    expect(ids(first.twins)).toEqual(all.slice(0, 4));
    expect(first).toMatchObject({ more: true, partitions: [0, 1] });
    const second = await queries.list(all[3], 4, () => true);
    expect(ids(second.twins)).toEqual(all.slice(4));
    expect(second.more).toBe(false);
    const filtered = await queries.list(undefined, 10, (t) => t.id === all[2]);
    expect(ids(filtered.twins)).toEqual([all[2]]);
  });

  it('refuses to list NOT_READY while a local task is not running', async () => {
    const { queries, drivers } = await setUp();
    await drivers.get(1)!.close();
    await expect(queries.list(undefined, 10, () => true)).rejects.toMatchObject({ code: 'NOT_READY' });
  });

  it('waits for a version that a later commit reaches, and times out on one never reached', async () => {
    const { queries, report } = await setUp();
    const [id] = idsOn(1, 1);
    await report(id!, { t: 1 });
    const waiting = queries.getAtLeast(id!, 2, 10_000);
    await report(id!, { t: 2 });
    expect((await waiting)?.version).toBe(2);
    await expect(queries.getAtLeast(id!, 5, 20)).rejects.toMatchObject({
      code: 'TIMEOUT',
      details: { version: 2, minVersion: 5 },
    });
  });

  it('hands a write its fold by request id once committed', async () => {
    const { queries, driverOf } = await setUp();
    const [id] = idsOn(0, 1);
    const wait = queries.awaitRequest('req-1', 10_000);
    await driverOf(id!).pipe('registry', { deviceId: id!, value: { op: 'create', requestId: 'req-1' } });
    expect(await wait.promise).toMatchObject({ deviceId: id, requestId: 'req-1', version: 1 });
  });
});
