import type { KafkaMessage } from 'kafkajs';
import type { RestoreTarget } from '../../../topology/changelog-reader';
import { RestoreProgress } from '../../../topology/restore-progress';

const TOPIC = 'app-twin-store-changelog';

function target(partition: number, fromOffset: number): RestoreTarget {
  return { topic: TOPIC, partition, fromOffset, apply: async () => undefined };
}

function message(offset: number, key: string | null, value: string | null = 'v'): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
    headers: {},
  };
}

describe('RestoreProgress', () => {
  it('has nothing to read for stores already at the end of their changelog partition', () => {
    const progress = new RestoreProgress(TOPIC, [target(0, 5), target(1, 0)], new Map([[0, 5]]));
    expect(progress.done).toBe(true);
    expect(progress.resultList()).toEqual([
      { topic: TOPIC, partition: 0, nextOffset: 5, records: 0 },
      { topic: TOPIC, partition: 1, nextOffset: 0, records: 0 },
    ]);
  });

  it('hands over the records from the store position on, tombstones included, keyless ones skipped', () => {
    const progress = new RestoreProgress(TOPIC, [target(0, 2)], new Map([[0, 10]]));
    const entries = progress.entriesOf(0, [
      message(1, 'a'),
      message(2, 'b'),
      message(3, null),
      message(4, 'c', null),
    ]);
    expect(entries).toEqual([
      { key: 'b', value: Buffer.from('v'), offset: '2' },
      { key: 'c', value: null, offset: '4' },
    ]);
    expect(progress.entriesOf(7, [message(2, 'b')])).toEqual([]);
  });

  it('finishes when every pending partition was read to its end, markers and compaction gaps included', () => {
    const progress = new RestoreProgress(
      TOPIC,
      [target(0, 0), target(1, 3)],
      new Map([
        [0, 10],
        [1, 6],
      ]),
    );
    expect(progress.pendingTargets().map((t) => t.partition)).toEqual([0, 1]);
    expect(progress.advance(0, 9)).toBe(false);
    // The last offset of partition 0 is a transaction marker that never reaches a batch.
    expect(progress.advance(0, 10)).toBe(false);
    expect(progress.target(0)).toBeUndefined();
    progress.applied(1, 2);
    expect(progress.advance(1, 6)).toBe(true);
    expect(progress.done).toBe(true);
    expect(progress.resultList()).toEqual([
      { topic: TOPIC, partition: 0, nextOffset: 10, records: 0 },
      { topic: TOPIC, partition: 1, nextOffset: 6, records: 2 },
    ]);
  });

  it('never moves a position backwards and ignores partitions it does not restore', () => {
    const progress = new RestoreProgress(TOPIC, [target(0, 4)], new Map([[0, 10]]));
    expect(progress.advance(0, 2)).toBe(false);
    expect(progress.advance(3, 100)).toBe(false);
    expect(progress.resultList()[0]!.nextOffset).toBe(4);
  });

  it('refuses a target of another changelog topic', () => {
    expect(() => new RestoreProgress(TOPIC, [{ ...target(0, 0), topic: 'other' }], new Map())).toThrow(
      RangeError,
    );
  });
});
