import { TaskDriver } from '../../support/task-driver';

/** The fake wall clock's start; readings carry no timestamp, so the record time is the reading time. */
const T0 = Date.UTC(2030, 0, 1);
const SEC = 1000;

const alertEvents = (d: TaskDriver): string[] =>
  d
    .events()
    .filter((e) => e.type.startsWith('alert.'))
    .map((e) => `${e.key} ${e.type} ${String(e.data.type)} ${String(e.data.id)}`);

/** Readings of `temperature` 10 s apart, one batch each, like a device speaking every 10 s. */
async function feed(d: TaskDriver, deviceId: string, values: number[], from: number): Promise<void> {
  for (const [i, temperature] of values.entries()) {
    await d.pipe('telemetry', { deviceId, value: { temperature }, timestampMs: from + i * 10 * SEC });
  }
}

describe('alerts through the partition task', () => {
  it('come out on device.events with the twin, committed with it; a restart from the changelog neither repeats nor loses them', async () => {
    const d = await TaskDriver.start({ startMs: T0 });
    await feed(
      d,
      'dev-1',
      Array.from({ length: 12 }, () => 21.5),
      T0,
    );
    expect(alertEvents(d)).toEqual([
      'dev-1 alert.raised STUCK dev-1:1',
      'dev-1 alert.raised UNHEALTHY dev-1:2',
    ]);
    const doc = d.twins().at(-1)!.document as { traits: { alerts: { id: string }[] } };
    expect(doc.traits.alerts.map((a) => a.id)).toEqual(['dev-1:1', 'dev-1:2']);

    // A new task restored from the changelog: the open alerts come back with the twin.
    const restarted = await TaskDriver.start({ startMs: T0 + 120 * SEC, changelog: d.changelog() });
    expect((await restarted.twin('dev-1'))?.traits?.alerts.map((a) => a.type)).toEqual([
      'STUCK',
      'UNHEALTHY',
    ]);
    await feed(restarted, 'dev-1', [21.5, 21.52, 21.53, 21.55, 21.56], T0 + 120 * SEC);
    expect(alertEvents(restarted)).toEqual([
      'dev-1 alert.cleared STUCK dev-1:1',
      'dev-1 alert.cleared UNHEALTHY dev-1:2',
    ]);
    await Promise.all([d.close(), restarted.close()]);
  });

  it('TRAITS off: no alert events and no traits in the twin document', async () => {
    const d = await TaskDriver.start({ startMs: T0, foldConfig: { traits: false } });
    await feed(
      d,
      'dev-1',
      Array.from({ length: 12 }, () => 21.5),
      T0,
    );
    expect(alertEvents(d)).toEqual([]);
    expect(d.twins().at(-1)!.document).not.toHaveProperty('traits');
    await d.close();
  });
});
