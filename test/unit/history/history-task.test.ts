import { TaskDriver } from '../../support/task-driver';

const T0 = Date.parse('2026-11-24T10:00:00Z');

async function started(): Promise<TaskDriver> {
  return TaskDriver.start({ startMs: T0, history: {} });
}

describe('history in the partition task (task driver)', () => {
  it('records readings and changes and answers queries', async () => {
    const d = await started();
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { temperature: 21, timestamp: T0 - 1000 } });
    d.clock.advance(1000);
    await d.pipe('telemetry', { deviceId: 'dev-1', value: { temperature: 22, timestamp: T0 } });
    const history = d.task.history!;
    const page = await history.telemetry('dev-1', {
      start: T0 - 5000,
      end: T0 + 5000,
      limit: 10,
      order: 'asc',
    });
    expect(page.points.map((p) => p.values)).toEqual([{ temperature: 21 }, { temperature: 22 }]);
    const changes = await history.history('dev-1', { limit: 10, order: 'asc' });
    expect(changes.changes.map((c) => [c.version, c.actor])).toEqual([
      [1, 'device'],
      [2, 'device'],
    ]);
    const since = await history.changesSince('dev-1', 1);
    expect(since).toMatchObject({ kind: 'patch', fromVersion: 1, version: 2 });
    const at = await history.twinAt('dev-1', T0 + 500);
    expect(await history.twinAt('dev-1', T0 - 500)).toBeUndefined();
    expect(at?.version).toBe(1);
    expect(at?.reported).toEqual({ temperature: 21 });
    await d.close();
  });
});
