import { nextOffsets } from '../../../bench/kafka-clients/client';
import { comparisonTable, type Run } from '../../../bench/kafka-clients/comparison';
import { foldOutputs, produceBatches } from '../../../bench/kafka-clients/records';
import { TxBatcher } from '../../../bench/kafka-clients/tx-batcher';

const topics = { changelog: 'c', twins: 't', events: 'e' };

describe('bench kafka-clients parts', () => {
  it('writes per input a changelog record and a document, an event every second input, on its partition', () => {
    const out = foldOutputs(
      [0, 1, 2, 3].map((i) => ({ partition: i % 2, key: Buffer.from(`d${i}`), value: null })),
      topics,
    );
    expect(out.map((r) => r.topic).join('')).toBe('ctctectcte');
    expect(out.filter((r) => r.key.toString() === 'd3').map((r) => r.partition)).toEqual([1, 1, 1]);
    expect(out.find((r) => r.topic === 't')!.value.length).toBe(609);
    expect(produceBatches(1200, 10, 8, 500, topics).map((b) => b.length)).toEqual([1250, 1250, 500]);
  });

  it('commits the offset after the last record of each topic-partition', () => {
    const last = nextOffsets([
      { topic: 'a', partition: 0, offset: 5n },
      { topic: 'a', partition: 0, offset: 9n },
      { topic: 'a', partition: 1, offset: 2n },
      { topic: 'b', partition: 0, offset: 7n },
      { topic: 'a', partition: 0, offset: 8n },
    ]);
    expect([...last.values()].map((r) => `${r.topic}${r.partition}@${r.offset}`).sort()).toEqual([
      'a0@9',
      'a1@2',
      'b0@7',
    ]);
  });

  it('commits what is pending, at most maxPerTx a transaction, and resolves the waiters', async () => {
    const b = new TxBatcher<number>();
    const txs: number[][] = [];
    const first = b.add([1, 2, 3], true);
    b.add([4, 5]);
    b.add([6]);
    const run = b.run(7, { intervalMs: 0, maxPerTx: 5, deadline: Date.now() + 5000 }, async (items) => {
      txs.push(items);
      if (txs.length === 1) b.add([7]);
    });
    await first;
    await run;
    expect(txs).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7],
    ]);
    expect(b.transactions).toBe(2);
    const never = new TxBatcher<number>();
    await expect(
      never.run(1, { intervalMs: 0, maxPerTx: 5, deadline: Date.now() + 50 }, async () => {}),
    ).rejects.toThrow('only 0 of 1 committed in time');
  });

  it('prints both clients side by side with the ratios', () => {
    const run = (records: number, seconds: number, cpuMicros: number): Run => ({
      records,
      seconds,
      cpuMicros,
      load: 2,
      detail: '',
    });
    const table = comparisonTable([['produce', [run(1000, 1, 20)], [run(3000, 1, 10)]]]).split('\n');
    expect(table[1]).toMatch(/^produce\s+1,000\s+20\s+3,000\s+10\s+3\.00\s+0\.50\s+2\.0–2\.0$/);
  });
});
