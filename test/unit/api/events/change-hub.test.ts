import { ChangeHub } from '../../../../api/events/change-hub';
import { StreamCursor } from '../../../../api/events/stream-cursor';
import { parseFleetPosition, parseTwinPosition } from '../../../../api/events/position';
import { selects, type ChangeSelector, type TwinChange } from '../../../../api/events/twin-change';
import { partitionForKey } from '../../../../shared/partitioner';
import { FakeTwinsLog } from './fake-log';

const PARTITIONS = 4;
const ids = Array.from({ length: 12 }, (_, i) => `dev-${i}`);

/** A small deterministic generator (no flaky seeds). */
function random(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function expected(log: FakeTwinsLog, selector: ChangeSelector, from: number[]): string[] {
  return log.records
    .filter((c) => c.offset >= (from[c.partition] ?? 0) && selects(selector, c))
    .map((c) => `${c.partition}@${c.offset}`);
}

describe('ChangeHub and StreamCursor', () => {
  it('drops records below the reader position (re-reads after a seek or a rejoin)', () => {
    const hub = new ChangeHub([5, 0], 10);
    const seen: TwinChange[] = [];
    hub.attach((c) => seen.push(c));
    const change = (partition: number, offset: number): TwinChange => ({
      partition,
      offset,
      id: 'a',
      twin: null,
      json: undefined,
    });
    hub.publish(change(0, 3));
    hub.publish(change(0, 5));
    hub.publish(change(0, 5));
    hub.publish(change(1, 0));
    expect(seen.map((c) => `${c.partition}@${c.offset}`)).toEqual(['0@5', '1@0']);
    expect(hub.position()).toEqual([6, 1]);
  });

  it.each([
    ['the fleet', { kind: 'fleet', filter: {} }],
    ['a filtered fleet', { kind: 'fleet', filter: { status: 'online' } }],
    ['one twin', { kind: 'twin', id: 'dev-3' }],
  ] as const)(
    'resumes %s exactly: every change once, across disconnects, from buffer or log',
    (_, selector) => {
      const twinPartition = selector.kind === 'twin' ? partitionForKey(selector.id, PARTITIONS) : undefined;
      const resumeFrom = (id: string, hub: ChangeHub): number[] => {
        if (twinPartition === undefined) return parseFleetPosition(id, PARTITIONS);
        const from = hub.position();
        from[twinPartition] = parseTwinPosition(id, twinPartition);
        return from;
      };
      for (const seed of [1, 2, 3, 4, 5]) {
        const rnd = random(seed);
        const pick = (): string => ids[Math.floor(rnd() * ids.length)]!;
        const log = new FakeTwinsLog(PARTITIONS);
        for (let i = 0; i < 20; i++) log.put(ids[i % ids.length]!, {});
        const hub = new ChangeHub(log.ends(), 15);
        log.subscribe((c) => hub.publish(c));
        const start = hub.position();
        const received: string[] = [];
        let lastId: string | undefined;
        for (let session = 0; session < 6; session++) {
          const cursor = new StreamCursor(
            selector,
            lastId === undefined ? hub.position() : resumeFrom(lastId, hub),
            twinPartition,
          );
          lastId = cursor.eventId(); // the id-only block a stream starts with
          const deliver = (c: TwinChange): void => {
            const event = cursor.accept(c);
            if (!event) return;
            received.push(`${c.partition}@${c.offset}`);
            expect(event.id).toBe(cursor.eventId());
            lastId = event.id;
          };
          let detach: () => void;
          if (hub.canReplay(cursor)) detach = hub.attach(deliver);
          else {
            // A consumer of its own: the whole log (the cursor skips what precedes it), then live.
            for (const c of log.records) deliver(c);
            detach = log.subscribe(deliver);
          }
          const status = (): 'online' | 'offline' => (rnd() < 0.5 ? 'online' : 'offline');
          const live = Math.floor(rnd() * 10);
          for (let i = 0; i < live; i++)
            log.put(pick(), { connection: { status: status(), since: null, lastSeen: null } });
          detach();
          // While away: a little (resumed from the buffer) or a lot (resumed from the log).
          const away = rnd() < 0.5 ? 2 : 25;
          for (let i = 0; i < away; i++)
            log.put(
              pick(),
              rnd() < 0.1 ? null : { connection: { status: status(), since: null, lastSeen: null } },
            );
        }
        // Everything selected from the start up to where the last session stopped, in log order per partition.
        const end = resumeFrom(lastId!, hub);
        const want = expected(log, selector, start).filter((p) => {
          const [partition, offset] = p.split('@').map(Number) as [number, number];
          return offset < end[partition]!;
        });
        const byPartition = (list: string[], p: number): string[] =>
          list.filter((x) => x.startsWith(`${p}@`));
        for (let p = 0; p < PARTITIONS; p++) expect(byPartition(received, p)).toEqual(byPartition(want, p));
        expect(received).toHaveLength(want.length);
      }
    },
  );

  it('says when the buffer no longer holds a position', () => {
    const log = new FakeTwinsLog(2);
    const hub = new ChangeHub(log.ends(), 3);
    log.subscribe((c) => hub.publish(c));
    const cursor = new StreamCursor({ kind: 'fleet', filter: {} }, hub.position());
    for (let i = 0; i < 3; i++) log.put(`x-${i}`, {});
    expect(hub.canReplay(cursor)).toBe(true);
    for (let i = 0; i < 3; i++) log.put(`y-${i}`, {});
    expect(hub.canReplay(cursor)).toBe(false);
  });
});
