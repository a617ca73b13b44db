import type { Offsets, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import {
  ExactlyOnceCommitter,
  type TransactionalProducer,
} from '../../../../topology/task/exactly-once-committer';

/**
 * A transactional producer that records every call; `failSend` makes the next sendBatch throw,
 * `failAbort` the abort (Kafka away).
 */
function fakeProducer() {
  const calls: string[] = [];
  const configs: ProducerConfig[] = [];
  const state = { failSend: false, failAbort: false, active: false };
  const producer: TransactionalProducer = {
    connect: async () => void calls.push('connect'),
    disconnect: async () => void calls.push('disconnect'),
    transaction: async () => {
      calls.push('begin');
      state.active = true;
      return {
        sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
          if (state.failSend) throw new Error('broker gone');
          calls.push(`send ${(batch.topicMessages ?? []).map((t) => t.topic).join(',')}`);
          return [{ topicName: 'changelog', partition: 2, errorCode: 0, baseOffset: '0' }];
        },
        sendOffsets: async (o: Offsets & { consumerGroupId: string }) =>
          void calls.push(`offsets ${o.consumerGroupId} ${JSON.stringify(o.topics)}`),
        commit: async () => {
          state.active = false;
          calls.push('commit');
        },
        abort: async () => {
          if (state.failAbort) throw new Error('broker gone');
          state.active = false;
          calls.push('abort');
        },
        isActive: () => state.active,
      };
    },
  };
  const committer = new ExactlyOnceCommitter(
    (config) => {
      configs.push(config ?? {});
      return producer;
    },
    'app',
    2,
  );
  return { committer, calls, configs, state };
}

const records = [{ topic: 'changelog', messages: [{ key: 'a', value: 'x', partition: 2 }] }];

describe('ExactlyOnceCommitter', () => {
  it('opens the transactional producer of its partition, which fences any previous owner', async () => {
    const { committer, configs, calls } = fakeProducer();
    await committer.open();
    expect(configs).toEqual([expect.objectContaining({ transactionalId: 'app-2', idempotent: true })]);
    expect(calls).toEqual(['connect']);
  });

  it('commits records and input offsets in one transaction', async () => {
    const { committer, calls } = fakeProducer();
    await committer.open();
    await committer.send({ records, input: { topic: 'device.telemetry', nextOffset: '9' } });
    expect(calls.slice(1)).toEqual([
      'begin',
      'send changelog',
      'offsets app [{"topic":"device.telemetry","partitions":[{"partition":2,"offset":"9"}]}]',
      'commit',
    ]);
  });

  it('aborts the transaction when a send fails, and rethrows', async () => {
    const { committer, calls, state } = fakeProducer();
    await committer.open();
    state.failSend = true;
    await expect(committer.send({ records, input: undefined })).rejects.toThrow('broker gone');
    expect(calls.slice(1)).toEqual(['begin', 'abort']);
  });

  it('replaces its producer before the next transaction when an abort failed (stuck in ABORTING)', async () => {
    const { committer, calls, configs, state } = fakeProducer();
    await committer.open();
    state.failSend = true;
    state.failAbort = true;
    await expect(committer.send({ records, input: undefined })).rejects.toThrow('broker gone');
    state.failSend = false;
    state.failAbort = false;
    await committer.send({ records, input: undefined });
    expect(calls.slice(1)).toEqual(['begin', 'disconnect', 'connect', 'begin', 'send changelog', 'commit']);
    expect(configs).toHaveLength(2);
    await committer.send({ records, input: undefined });
    expect(calls.slice(7)).toEqual(['begin', 'send changelog', 'commit']);
  });

  it('starts no transaction for a unit with nothing in it', async () => {
    const { committer, calls } = fakeProducer();
    await committer.open();
    expect(await committer.send({ records: [], input: undefined })).toEqual([]);
    expect(calls).toEqual(['connect']);
  });

  it('never keeps a checkpoint while running (a crash must force a restore)', () => {
    expect(fakeProducer().committer.checkpointsWhileRunning).toBe(false);
  });
});
