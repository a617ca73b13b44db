import { bridgeTopics, waitForTopics } from '../../../bridge/kafka-topics';
import { createLogger } from '../../../shared/logger';
import { topicNames } from '../../../shared/topics';

const logs: string[] = [];
const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });

describe('bridgeTopics', () => {
  it('lists the topics the bridge writes and reads, behind the prefix', () => {
    expect(bridgeTopics(topicNames({ topicPrefix: 'p.' }))).toEqual([
      'p.device.telemetry',
      'p.device.state',
      'p.device.status',
      'p.device.acks',
      'p.device.errors',
      'p.device.downlink',
      'p.device.dlq',
      'p.device.twins',
      'p.device.events',
    ]);
    expect(bridgeTopics(topicNames({ topicPrefix: 'p.' }), false)).not.toContain('p.device.twins');
  });
});

describe('waitForTopics', () => {
  beforeEach(() => (logs.length = 0));

  it('returns once every topic exists, saying once what it waits for', async () => {
    const answers = [['a'], ['a', 'b'], ['a', 'b', 'c', 'other']];
    let calls = 0;
    await waitForTopics(
      async () => answers[Math.min(calls++, 2)]!,
      ['a', 'b', 'c'],
      logger,
      () => false,
      {
        pollMs: 1,
      },
    );
    expect(calls).toBe(3);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0]!)).toMatchObject({ level: 'warn', missing: ['b', 'c'] });
  });

  it('gives up with NOT_READY when cancelled', async () => {
    let cancelled = false;
    const waiting = waitForTopics(
      async () => [],
      ['a'],
      logger,
      () => cancelled,
      { pollMs: 1 },
    );
    cancelled = true;
    await expect(waiting).rejects.toMatchObject({ code: 'NOT_READY' });
  });
});
