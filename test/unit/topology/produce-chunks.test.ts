import { chunkTopicMessages } from '../../../topology/produce-chunks';

const msg = (key: string, bytes: number) => ({ key, value: 'x'.repeat(bytes) });

describe('chunkTopicMessages', () => {
  it('keeps everything in one send when it fits', () => {
    const chunks = chunkTopicMessages([{ topic: 'a', messages: [msg('1', 10), msg('2', 10)] }], 1000);
    expect(chunks).toEqual([[{ topic: 'a', messages: [msg('1', 10), msg('2', 10)] }]]);
  });

  it('splits by bytes, keeps per-topic order and loses nothing', () => {
    const a = Array.from({ length: 50 }, (_, i) => msg(`a${i}`, 100));
    const b = Array.from({ length: 30 }, (_, i) => msg(`b${i}`, 300));
    const chunks = chunkTopicMessages(
      [
        { topic: 'a', messages: a },
        { topic: 'b', messages: b },
      ],
      2000,
    );
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      const bytes = chunk
        .flatMap((t) => t.messages)
        .reduce((n, m) => n + String(m.key).length + String(m.value).length + 64, 0);
      expect(bytes).toBeLessThanOrEqual(2000);
      expect(chunk.every((t) => t.messages.length > 0)).toBe(true);
    }
    const flat = (topic: string) =>
      chunks.flatMap((c) => c.filter((t) => t.topic === topic).flatMap((t) => t.messages));
    expect(flat('a')).toEqual(a);
    expect(flat('b')).toEqual(b);
  });

  it('sends a record larger than the limit on its own rather than dropping it', () => {
    const chunks = chunkTopicMessages(
      [{ topic: 'a', messages: [msg('1', 10), msg('big', 5000), msg('3', 10)] }],
      1000,
    );
    expect(chunks.map((c) => c[0]!.messages.map((m) => m.key))).toEqual([['1'], ['big'], ['3']]);
  });

  it('returns no sends for no records', () => {
    expect(chunkTopicMessages([], 1000)).toEqual([]);
  });
});
