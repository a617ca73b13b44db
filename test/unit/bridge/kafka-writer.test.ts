import { Registry } from 'prom-client';
import type { ProducerBatch } from 'kafkajs';
import { createKafkaWriter, groupByTopic } from '../../../bridge/kafka-writer';
import { createBridgeMetrics } from '../../../bridge/metrics';

const rec = (topic: string, key: string, value: string) => ({ topic, message: { key, value } });

describe('groupByTopic', () => {
  it('groups by topic and keeps the order within each topic', () => {
    const grouped = groupByTopic([
      rec('a', 'd1', '1'),
      rec('b', 'd1', '2'),
      rec('a', 'd2', '3'),
      rec('a', 'd1', '4'),
    ]);
    expect(grouped).toEqual([
      {
        topic: 'a',
        messages: [
          { key: 'd1', value: '1' },
          { key: 'd2', value: '3' },
          { key: 'd1', value: '4' },
        ],
      },
      { topic: 'b', messages: [{ key: 'd1', value: '2' }] },
    ]);
  });
});

describe('createKafkaWriter', () => {
  it('sends one request with acks=-1 and counts records per topic', async () => {
    const registry = new Registry();
    const metrics = createBridgeMetrics(registry);
    const sent: ProducerBatch[] = [];
    const write = createKafkaWriter(async (batch) => {
      sent.push(batch);
    }, metrics);
    await write([rec('a', 'd1', '1'), rec('b', 'd1', '2'), rec('a', 'd2', '3')]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.acks).toBe(-1);
    expect(sent[0]!.topicMessages).toHaveLength(2);
    const produced = await metrics.messagesProduced.get();
    expect(produced.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { topic: 'a' }, value: 2 }),
        expect.objectContaining({ labels: { topic: 'b' }, value: 1 }),
      ]),
    );
  });

  it('rejects when the producer fails and counts nothing', async () => {
    const metrics = createBridgeMetrics(new Registry());
    const write = createKafkaWriter(() => Promise.reject(new Error('broker down')), metrics);
    await expect(write([rec('a', 'd1', '1')])).rejects.toThrow('broker down');
    expect((await metrics.messagesProduced.get()).values).toEqual([]);
  });
});
