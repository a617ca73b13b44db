import { startTwinsConsumer } from '../../api/events/twins-consumer';
import { createLogger } from '../../shared/logger';
import { uniquePrefix } from '../support/env';
import { createTopics, testKafka } from '../support/kafka';

/**
 * A reader of device.twins (each SSE replay has one) is the only member of a throwaway consumer
 * group that never commits; stopping it deletes the group, so finished replays leave no empty
 * groups behind in the broker.
 */
jest.setTimeout(120_000);

it('deletes its consumer group when it stops', async () => {
  const prefix = uniquePrefix('events-group');
  const topic = `${prefix}device.twins`;
  await createTopics([topic], 2);
  const kafka = testKafka('events-group-test');
  const groupId = `${prefix}app-events-replay-test`;
  const groups = async (): Promise<string[]> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g === groupId);
    } finally {
      await admin.disconnect();
    }
  };
  const reader = await startTwinsConsumer({
    kafka,
    topic,
    groupId,
    partitions: [0, 1],
    position: () => [0, 0],
    onChange: () => undefined,
    onFatal: (err) => {
      throw err;
    },
    logger: createLogger({ write: () => undefined }),
  });
  expect(await groups()).toEqual([groupId]);
  await reader.stop();
  expect(await groups()).toEqual([]);
});
