import { partitionForKey } from '../../../shared/partitioner';
import { LocalTwinQueries, type LocalTaskSource } from '../../../topology/local-queries';
import { ProcessorEvents } from '../../../topology/processor-events';
import { TaskDriver } from '../../support/task-driver';

const T0 = Date.UTC(2030, 0, 1);

/** Two partitions; partition 0 runs a task (with or without history), partition 1 none. */
async function setUp(history: boolean) {
  const driver = await TaskDriver.start({ startMs: T0, partition: 0, ...(history ? { history: {} } : {}) });
  const source: LocalTaskSource = {
    events: new ProcessorEvents(),
    partitions: 2,
    taskManager: {
      runningTask: (p) => (p === 0 && driver.task.status === 'running' ? driver.task : undefined),
      tasks: () => [driver.task],
    },
  };
  return { driver, queries: new LocalTwinQueries(source) };
}

const on = (partition: number): string => {
  for (let i = 0; ; i++) if (partitionForKey(`dev-${i}`, 2) === partition) return `dev-${i}`;
};

describe('LocalTwinQueries.history', () => {
  it("gives the history of the task owning the twin's partition", async () => {
    const { driver, queries } = await setUp(true);
    const id = on(0);
    await driver.pipe('telemetry', { deviceId: id, value: { t: 1 } });
    const page = await queries.history(id).telemetry(id, { start: 0, end: T0 + 1, limit: 10, order: 'asc' });
    expect(page.points.map((p) => p.values)).toEqual([{ t: 1 }]);
    await driver.close();
  });

  it('refuses NOT_READY for a partition not served here, HISTORY_DISABLED when history is off', async () => {
    const withHistory = await setUp(true);
    expect(() => withHistory.queries.history(on(1))).toThrow(expect.objectContaining({ code: 'NOT_READY' }));
    await withHistory.driver.close();
    const without = await setUp(false);
    expect(() => without.queries.history(on(0))).toThrow(
      expect.objectContaining({ code: 'HISTORY_DISABLED' }),
    );
    await without.driver.close();
  });
});
