import type { TwinPage } from '../../../../api/backend';
import { decodeCursor, encodeCursor } from '../../../../api/list-cursor';
import { mergePages } from '../../../../api/routing/merge-pages';
import type { TwinDocument } from '../../../../api/twin-document';
import { isTwinfoldError } from '../../../../shared/errors';
import { partitionForKey } from '../../../../shared/partitioner';

const twin = (id: string, version = 1): TwinDocument => ({ id, version }) as TwinDocument;

/** One instance: the twins of its partitions, answering as LocalTwinQueries does. */
function instance(ids: string[], partitions: number[], count: number) {
  const own = ids.filter((id) => partitions.includes(partitionForKey(id, count))).sort();
  return (cursor: string | null, limit: number): TwinPage => {
    const after = cursor === null ? undefined : decodeCursor(cursor);
    const rest = own.filter((id) => after === undefined || id > after);
    const twins = rest.slice(0, limit).map((id) => twin(id));
    const last = twins[twins.length - 1];
    return { twins, nextCursor: rest.length > limit && last ? encodeCursor(last.id) : null, partitions };
  };
}

describe('mergePages', () => {
  const ids = Array.from({ length: 137 }, (_, i) => `dev-${(i * 7919) % 1000}`);
  const count = 6;
  const instances = [
    instance(ids, [0, 3], count),
    instance(ids, [1, 4], count),
    instance(ids, [2, 5], count),
  ];

  it.each([1, 2, 7, 50, 136, 137, 1000])(
    'pages through every twin exactly once, in id order (limit %i)',
    (limit) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let guard = 0; guard < 1000; guard++) {
        const page = mergePages(
          instances.map((answer) => answer(cursor, limit)),
          limit,
          count,
        );
        expect(page.twins.length).toBeLessThanOrEqual(limit);
        expect(page.partitions).toBeUndefined();
        seen.push(...page.twins.map((t) => t.id));
        cursor = page.nextCursor;
        if (cursor === null) break;
      }
      expect(seen).toEqual([...ids].sort());
    },
  );

  it('refuses to present a page as complete when a partition is missing', () => {
    const pages = [
      instances[0]!(null, 10),
      { ...instances[1]!(null, 10), partitions: [1] },
      instances[2]!(null, 10),
    ];
    try {
      mergePages(pages, 10, count);
      throw new Error('expected NOT_READY');
    } catch (err) {
      expect(isTwinfoldError(err) && err.code).toBe('NOT_READY');
      expect(isTwinfoldError(err) && err.details).toMatchObject({ missing: [4], retryAfterSeconds: 1 });
    }
    expect(() => mergePages([], 10, 0)).toThrow(/count unknown/);
  });

  it('lists a twin seen on two pages (a partition in flight) once, at its higher version', () => {
    const a: TwinPage = { twins: [twin('x', 3), twin('y', 1)], nextCursor: null, partitions: [0] };
    const b: TwinPage = { twins: [twin('x', 4)], nextCursor: null, partitions: [0, 1] };
    expect(mergePages([a, b], 10, 2).twins).toEqual([twin('x', 4), twin('y', 1)]);
  });

  it('gives a next cursor when any instance has more, even if the merged page is not full', () => {
    const a: TwinPage = { twins: [twin('a')], nextCursor: encodeCursor('a'), partitions: [0] };
    const b: TwinPage = { twins: [], nextCursor: null, partitions: [1] };
    expect(mergePages([a, b], 1, 2).nextCursor).toBe(encodeCursor('a'));
  });
});
