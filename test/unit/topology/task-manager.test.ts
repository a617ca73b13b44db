import { Registry } from 'prom-client';
import { createLogger } from '../../../shared/logger';
import type { RestoreResult, RestoreTarget } from '../../../topology/changelog-reader';
import { ProcessorMetrics } from '../../../topology/metrics';
import type { InputPartitionPosition } from '../../../topology/task/input-positions';
import { TaskManager, type TaskManagerOptions } from '../../../topology/task-manager';
import { TaskDriver } from '../../support/task-driver';

const T0 = Date.UTC(2030, 0, 1);
const heartbeat = async (): Promise<void> => undefined;

function setUp(overrides: Partial<TaskManagerOptions> = {}) {
  const drivers = new Map<number, TaskDriver[]>();
  const restoring: boolean[] = [];
  const restored: RestoreTarget[][] = [];
  const warnings: string[] = [];
  const logger = createLogger({
    write: (line: string) => {
      if (line.includes('"warn"')) warnings.push(line);
    },
  });
  const manager = new TaskManager({
    createTask: (partition) => {
      const driver = TaskDriver.create({ startMs: T0, partition });
      drivers.set(partition, [...(drivers.get(partition) ?? []), driver]);
      return driver.task;
    },
    restore: async (targets): Promise<RestoreResult[]> => {
      restored.push(targets);
      return targets.map((t) => ({
        topic: t.topic,
        partition: t.partition,
        nextOffset: t.fromOffset,
        records: 0,
      }));
    },
    inputPositions: async () => [],
    metrics: new ProcessorMetrics(new Registry(), () => []),
    logger,
    onRestoring: (r) => restoring.push(r),
    ...overrides,
  });
  return { manager, drivers, restoring, restored, warnings };
}

describe('TaskManager', () => {
  it('opens the assigned partitions, restores them together, and hands out running tasks', async () => {
    const { manager, restoring, restored } = setUp();
    manager.assign([0, 2]);
    expect(manager.partitions).toEqual([0, 2]);
    const task = await manager.readyTask(2, heartbeat);
    expect(task).toMatchObject({ partition: 2, status: 'running' });
    await manager.readyTask(0, heartbeat);
    expect(restored.map((targets) => targets.map((t) => t.partition))).toEqual([[0, 2]]);
    expect(restoring).toEqual([true, false]);
    expect(manager.runningTask(0)?.partition).toBe(0);
    expect(manager.runningTask(1)).toBeUndefined();
  });

  it('closes revoked tasks cleanly and keeps the others', async () => {
    const { manager, drivers } = setUp();
    manager.assign([0, 1]);
    await manager.readyTask(1, heartbeat);
    manager.assign([1]);
    expect(manager.partitions).toEqual([1]);
    await manager.closeAll({ clean: true });
    const [first] = drivers.get(0)!;
    expect(first!.task.status).toBe('closed');
    // A clean close of a running task leaves a checkpoint for the next owner on this machine.
    expect(first!.storage.checkpoint?.changelogOffsets).toEqual({ 'driver-twin-store-changelog:0': '0' });
    expect(manager.tasks()).toEqual([]);
  });

  it('keeps its tasks across joins as the same member, and restarts them all from their changelogs when it rejoins as a new one', async () => {
    const { manager, drivers, restored } = setUp();
    manager.assign([0, 1], 'member-1');
    await manager.readyTask(0, heartbeat);
    await manager.readyTask(1, heartbeat);
    manager.assign([0, 1], 'member-1');
    expect(drivers.get(0)).toHaveLength(1);
    // The session expired while the process was paused: others may have written partitions 0 and 1.
    manager.assign([0, 1], 'member-2');
    expect(manager.partitions).toEqual([0, 1]);
    const task = await manager.readyTask(0, heartbeat);
    await manager.readyTask(1, heartbeat);
    const [stale, fresh] = drivers.get(0)!;
    expect(task).toBe(fresh!.task);
    expect(stale!.task.status).toBe('closed');
    // Closed without a checkpoint: the new task restores from the changelog, not from a stale store.
    expect(stale!.storage.checkpoint).toBeUndefined();
    expect(restored.map((targets) => targets.map((t) => t.partition))).toEqual([
      [0, 1],
      [0, 1],
    ]);
    await manager.closeAll({ clean: true });
  });

  it('tells each new task how far behind its inputs are, so its timers know a backlog', async () => {
    const positions: InputPartitionPosition[] = [
      { topic: 'device.telemetry', partition: 0, next: '10', highWatermark: '500' },
      { topic: 'device.telemetry', partition: 1, next: '7', highWatermark: '7' },
    ];
    const { manager } = setUp({
      inputPositions: async (partitions) => positions.filter((p) => partitions.includes(p.partition)),
    });
    manager.assign([0, 1]);
    expect((await manager.readyTask(0, heartbeat)).inputs.lagging).toBe(true);
    expect((await manager.readyTask(1, heartbeat)).inputs.lagging).toBe(false);
  });

  it('still starts its tasks when the input positions cannot be read, and says so', async () => {
    const { manager, warnings } = setUp({
      inputPositions: async () => {
        throw new Error('coordinator not available');
      },
    });
    manager.assign([0]);
    expect((await manager.readyTask(0, heartbeat)).status).toBe('running');
    expect(warnings.join('\n')).toMatch(/input positions/);
  });

  it('drops tasks whose restore failed and opens them again on their next batch', async () => {
    let failures = 1;
    const { manager, drivers } = setUp({
      restore: async (targets) => {
        if (failures-- > 0) throw new Error('changelog unavailable');
        return targets.map((t) => ({ topic: t.topic, partition: t.partition, nextOffset: 0, records: 0 }));
      },
    });
    manager.assign([0]);
    await expect(manager.readyTask(0, heartbeat)).rejects.toThrow('changelog unavailable');
    await new Promise((r) => setImmediate(r));
    expect(drivers.get(0)![0]!.task.status).toBe('closed');
    const task = await manager.readyTask(0, heartbeat);
    expect(task.status).toBe('running');
    expect(drivers.get(0)).toHaveLength(2);
  });
});
