import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { api, dataOf, errorCodeOf } from '../support/api-cluster';
import { produce, testKafka } from '../support/kafka';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { QUIET_TIMERS, topicOf, waitUntilConsumed } from '../support/workload';

const ID = 'ret-1';

interface Point {
  values: { temperature: number };
}

async function temperatures(service: ServiceInstance): Promise<number[]> {
  const page = dataOf<{ telemetry: Point[] }>(await api(service.url, 'GET', `/api/v1/twins/${ID}/telemetry`));
  return page.telemetry.map((p) => p.values.temperature);
}

/** Ends of every partition of the history changelog. */
async function changelogEnds(topic: string): Promise<{ partition: number; offset: string }[]> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high }));
  } finally {
    await admin.disconnect();
  }
}

describe('history retention', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('drops entries older than HISTORY_RETENTION, and restores without their changelog records', async () => {
    d = deployment('histret', { ...QUIET_TIMERS, PARTITIONS: '2', HISTORY_RETENTION: '4s' });
    let service = await startService(d, 'a');
    const telemetry = topicOf(d.prefix, 'telemetry');
    const send = async (...readings: number[]): Promise<void> => {
      await produce(
        telemetry,
        readings.map((temperature) => ({ key: ID, value: JSON.stringify({ temperature }) })),
      );
      await waitUntilConsumed(`${d.prefix}app`, telemetry);
    };
    await send(1, 2, 3);
    expect(await temperatures(service)).toEqual([1, 2, 3]);
    const historyTopic = `${d.prefix}app-history-changelog`;
    const oldEnds = await changelogEnds(historyTopic);

    await sleep(5500);
    await send(4);
    expect(await temperatures(service)).toEqual([4]);
    const gone = await api(service.url, 'GET', `/api/v1/twins/${ID}/changes?sinceVersion=1`);
    expect([gone.status, errorCodeOf(gone)]).toEqual([410, 'GONE']);
    expect((gone.body as { error: { details: { oldestVersion: number } } }).error.details.oldestVersion).toBe(
      3,
    );
    const versions = dataOf<{ changes: { version: number }[] }>(
      await api(service.url, 'GET', `/api/v1/twins/${ID}/history`),
    ).changes.map((c) => c.version);
    expect(versions).toEqual([4]);

    // The expired entries' changelog records are gone from the broker too: the restore needs none of them.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [historyTopic] });
      await admin.deleteTopicRecords({ topic: historyTopic, partitions: oldEnds });
    } finally {
      await admin.disconnect();
    }
    await service.process.kill('SIGTERM');
    rmSync(d.stateDir('a'), { recursive: true, force: true });
    service = await startService(d, 'a');
    expect(await temperatures(service)).toEqual([4]);
    const since = await api(service.url, 'GET', `/api/v1/twins/${ID}/changes?sinceVersion=3`);
    expect(dataOf<{ version: number; patch: { reported: unknown } }>(since)).toMatchObject({
      version: 4,
      patch: { reported: { temperature: 4 } },
    });
  });
});
