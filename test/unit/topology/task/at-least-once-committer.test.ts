import type { Producer, ProducerBatch, RecordMetadata } from 'kafkajs';
import { AtLeastOnceCommitter } from '../../../../topology/task/at-least-once-committer';

/** Records what the committer does, in order. */
function setUp() {
  const calls: string[] = [];
  let now = 0;
  const producer: Pick<Producer, 'sendBatch'> = {
    sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
      calls.push(`send ${(batch.topicMessages ?? []).map((t) => t.topic).join(',')}`);
      return [{ topicName: 'changelog', partition: 3, errorCode: 0, baseOffset: '7' }];
    },
  };
  const committer = new AtLeastOnceCommitter(
    producer,
    async (topic, partition, offset) => void calls.push(`offsets ${topic}:${partition}@${offset}`),
    3,
    () => now,
  );
  const stores = { checkpoint: async () => void calls.push('checkpoint') };
  return { committer, calls, stores, advance: (ms: number) => (now += ms) };
}

const unit = {
  records: [{ topic: 'changelog', messages: [{ key: 'a', value: 'x', partition: 3 }] }],
  input: { topic: 'device.telemetry', nextOffset: '42' },
};

describe('AtLeastOnceCommitter', () => {
  it('sends, then (after the store write) commits the input offsets, then checkpoints', async () => {
    const { committer, calls, stores } = setUp();
    expect(await committer.send(unit)).toEqual([
      { topicName: 'changelog', partition: 3, errorCode: 0, baseOffset: '7' },
    ]);
    await committer.afterStoreWrite(unit, stores);
    expect(calls).toEqual(['send changelog', 'offsets device.telemetry:3@42', 'checkpoint']);
  });

  it('checkpoints at most once per interval, and commits no offsets for a timer unit', async () => {
    const { committer, calls, stores, advance } = setUp();
    await committer.afterStoreWrite(unit, stores);
    advance(4999);
    await committer.afterStoreWrite({ ...unit, input: undefined }, stores);
    expect(calls.filter((c) => c === 'checkpoint')).toHaveLength(1);
    advance(1);
    await committer.afterStoreWrite({ ...unit, input: undefined }, stores);
    expect(calls).toEqual(['offsets device.telemetry:3@42', 'checkpoint', 'checkpoint']);
  });

  it('keeps a checkpoint while running (a store is valid after a crash: it replays, never skips)', () => {
    expect(setUp().committer.checkpointsWhileRunning).toBe(true);
  });
});
