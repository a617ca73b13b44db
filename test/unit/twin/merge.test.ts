import { parseJsonSafely } from '../../../shared/safe-json';
import {
  applyDesiredPatch,
  applyReadings,
  applySnapshot,
  computeDelta,
  mergePatch,
  type FieldSet,
  type JsonObject,
  type JsonValue,
} from '../../../topology/twin';
import { deepFreeze, T0 } from './helpers';

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('mergePatch (RFC 7386)', () => {
  // RFC 7386 Appendix A, every example.
  const vectors: [JsonValue, JsonValue, JsonValue][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(vectors)('merge(%j, %j) = %j', (target, patch, expected) => {
    expect(mergePatch(deepFreeze(target), deepFreeze(patch))).toEqual(expected);
  });

  it('merges into undefined as into {}', () => {
    expect(mergePatch(undefined, { a: 1, b: null })).toEqual({ a: 1 });
  });

  it('never mutates its arguments and never aliases the patch', () => {
    const target = deepFreeze({ a: { b: 1 }, keep: { x: 1 } });
    const patch = { a: { c: [1, 2] } };
    const out = mergePatch(target, patch) as { a: { c: number[] }; keep: object };
    expect(out).toEqual({ a: { b: 1, c: [1, 2] }, keep: { x: 1 } });
    patch.a.c.push(3);
    expect(out.a.c).toEqual([1, 2]);
  });

  it('skips prototype keys even in a patch built without parseJsonSafely', () => {
    const patch = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"ok":1}',
    );
    const out = mergePatch({}, patch) as Record<string, unknown>;
    expect(out).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out.polluted).toBeUndefined();
  });

  it('skips nested prototype keys', () => {
    const patch = JSON.parse('{"a":{"__proto__":{"polluted":1},"b":1}}');
    const out = mergePatch({ a: { c: 2 } }, patch) as { a: Record<string, unknown> };
    expect(out.a).toEqual({ b: 1, c: 2 });
    expect(out.a.polluted).toBeUndefined();
  });

  it('is not fooled by fields named like Object.prototype members', () => {
    expect(mergePatch({}, { toString: { a: 1 }, hasOwnProperty: 2 })).toEqual({
      toString: { a: 1 },
      hasOwnProperty: 2,
    });
  });
});

const empty = (): FieldSet => ({ values: {}, meta: {} });

describe('applyReadings (per-field LWW)', () => {
  it('writes new fields with their timestamp and version', () => {
    const out = applyReadings(empty(), { a: 1, b: 'x' }, T0, 1);
    expect(out).toEqual({
      values: { a: 1, b: 'x' },
      meta: { a: { timestamp: T0, version: 1 }, b: { timestamp: T0, version: 1 } },
    });
  });

  it('drops a reading older than the field and keeps other fields of the same message', () => {
    const start = applyReadings(empty(), { a: 1 }, T0 + 10, 1);
    const out = applyReadings(deepFreeze(start), { a: 0, b: 2 }, T0, 2);
    expect(out.values).toEqual({ a: 1, b: 2 });
    expect(out.meta.a).toEqual({ timestamp: T0 + 10, version: 1 });
  });

  it('lets the later message win on equal timestamps', () => {
    const start = applyReadings(empty(), { a: 1 }, T0, 1);
    expect(applyReadings(start, { a: 2 }, T0, 2)).toEqual({
      values: { a: 2 },
      meta: { a: { timestamp: T0, version: 2 } },
    });
  });

  it('leaves an identical reading with the same timestamp completely unchanged', () => {
    const start = applyReadings(empty(), { a: { x: 1 } }, T0, 1);
    expect(applyReadings(start, { a: { x: 1 } }, T0, 2)).toEqual(start);
  });

  it('refreshes the timestamp of an identical reading that is newer', () => {
    const start = applyReadings(empty(), { a: 1 }, T0, 1);
    expect(applyReadings(start, { a: 1 }, T0 + 5, 2).meta.a).toEqual({ timestamp: T0 + 5, version: 2 });
  });

  it('deletes with null and keeps a tombstone that blocks older readings', () => {
    const start = applyReadings(empty(), { a: 1, b: 2 }, T0, 1);
    const deleted = applyReadings(start, { a: null }, T0 + 10, 2);
    expect(deleted.values).toEqual({ b: 2 });
    expect(deleted.meta.a).toEqual({ timestamp: T0 + 10, version: 2 });
    expect(applyReadings(deleted, { a: 5 }, T0 + 5, 3).values).toEqual({ b: 2 });
    expect(applyReadings(deleted, { a: 5 }, T0 + 11, 3).values).toEqual({ a: 5, b: 2 });
  });

  it('ignores a null for a field it never had (no tombstone)', () => {
    expect(applyReadings(empty(), { ghost: null }, T0, 1)).toEqual(empty());
  });

  it('ignores an older null', () => {
    const start = applyReadings(empty(), { a: 1 }, T0 + 10, 1);
    expect(applyReadings(start, { a: null }, T0, 2)).toEqual(start);
  });

  it('treats the top-level field as the LWW unit and merge-patches inside it', () => {
    const start = applyReadings(empty(), { gps: { lat: 1, lon: 2, alt: 3 } }, T0, 1);
    const merged = applyReadings(start, { gps: { lat: 9, alt: null } }, T0 + 1, 2);
    expect(merged.values).toEqual({ gps: { lat: 9, lon: 2 } });
    const stale = applyReadings(merged, { gps: { lon: 7 } }, T0, 3);
    expect(stale.values).toEqual({ gps: { lat: 9, lon: 2 } });
  });

  it('replaces a scalar with an object (RFC 7386 semantics)', () => {
    const start = applyReadings(empty(), { a: 1 }, T0, 1);
    expect(applyReadings(start, { a: { b: 1, c: null } }, T0 + 1, 2).values).toEqual({ a: { b: 1 } });
  });

  it('does not mutate the input field set', () => {
    const start = deepFreeze(applyReadings(empty(), { a: 1, n: { x: 1 } }, T0, 1));
    expect(() => applyReadings(start, { a: 2, n: { y: 2 }, z: null }, T0 + 1, 2)).not.toThrow();
    expect(start.values).toEqual({ a: 1, n: { x: 1 } });
  });

  it('handles fields named after Object.prototype members as ordinary fields', () => {
    const out = applyReadings(empty(), { toString: 1, valueOf: 2, hasOwnProperty: 3 }, T0, 1);
    expect(out.values).toEqual({ toString: 1, valueOf: 2, hasOwnProperty: 3 });
    expect(applyReadings(out, { toString: 5 }, T0 - 1, 2).values.toString).toBe(1);
  });

  it('cannot pollute through readings, whoever built them', () => {
    const readings = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"a":1}',
    );
    const out = applyReadings(empty(), readings, T0, 1);
    expect(out.values).toEqual({ a: 1 });
    expect(Object.keys(out.meta)).toEqual(['a']);
  });

  it('cannot pollute through readings parsed safely', () => {
    const readings = parseJsonSafely(
      '{"__proto__":{"polluted":1},"x":{"__proto__":{"polluted":1}}}',
    ) as JsonObject;
    expect(applyReadings(empty(), readings, T0, 1).values).toEqual({ x: {} });
  });
});

describe('applySnapshot (full reported state)', () => {
  it('replaces the reported set: absent fields are removed (with tombstones), listed ones replaced', () => {
    const start = applyReadings(empty(), { a: 1, b: { x: 1, y: 2 } }, T0, 1);
    const out = applySnapshot(start, { b: { x: 5 }, c: 3 }, T0 + 1, 2);
    expect(out.values).toEqual({ b: { x: 5 }, c: 3 });
    expect(out.meta.a).toEqual({ timestamp: T0 + 1, version: 2 });
  });

  it('treats null in a snapshot as absent', () => {
    const start = applyReadings(empty(), { a: 1 }, T0, 1);
    expect(applySnapshot(start, { a: null, b: 2 }, T0 + 1, 2).values).toEqual({ b: 2 });
  });

  it('keeps fields written by a newer reading', () => {
    const start = applyReadings(empty(), { a: 1, b: 2 }, T0 + 10, 1);
    const out = applySnapshot(start, { a: 0 }, T0 + 5, 2);
    expect(out.values).toEqual({ a: 1, b: 2 });
  });

  it('is a no-op when identical at the same time', () => {
    const start = applySnapshot(empty(), { a: 1 }, T0, 1);
    expect(applySnapshot(start, { a: 1 }, T0, 2)).toEqual(start);
  });

  it('skips prototype keys', () => {
    const snapshot = JSON.parse('{"__proto__":{"polluted":1},"a":1}');
    expect(applySnapshot(empty(), snapshot, T0, 1).values).toEqual({ a: 1 });
  });
});

describe('applyDesiredPatch', () => {
  it('merges, deletes with null (and drops the metadata), records timestamp and version of changes', () => {
    const start = applyDesiredPatch(empty(), { a: 1, b: { x: 1 } }, T0, 1);
    const out = applyDesiredPatch(start, { a: null, b: { y: 2 } }, T0 + 5, 2);
    expect(out).toEqual({ values: { b: { x: 1, y: 2 } }, meta: { b: { timestamp: T0 + 5, version: 2 } } });
  });

  it('applies in call order regardless of timestamps (topic order)', () => {
    const start = applyDesiredPatch(empty(), { a: 1 }, T0 + 10, 1);
    expect(applyDesiredPatch(start, { a: 2 }, T0, 2).values).toEqual({ a: 2 });
  });

  it('keeps metadata when a value does not change', () => {
    const start = applyDesiredPatch(empty(), { a: 1 }, T0, 1);
    expect(applyDesiredPatch(start, { a: 1 }, T0 + 10, 2)).toEqual(start);
  });
});

describe('computeDelta', () => {
  it('lists desired fields whose reported value differs, with the desired value', () => {
    expect(computeDelta({ a: 1, b: { x: 1 }, c: 3 }, { a: 1, b: { x: 2 }, d: 4 })).toEqual({
      b: { x: 2 },
      d: 4,
    });
  });

  it('is {} when converged, compares deeply and ignores extra reported fields', () => {
    expect(computeDelta({ a: { x: [1, { y: 2 }] }, extra: 1 }, { a: { x: [1, { y: 2 }] } })).toEqual({});
    expect(computeDelta({}, {})).toEqual({});
  });

  it('treats a reported object with more keys as different (top-level deep equality)', () => {
    expect(computeDelta({ cfg: { a: 1, b: 2 } }, { cfg: { a: 1 } })).toEqual({ cfg: { a: 1 } });
  });

  it('distinguishes types and array order', () => {
    expect(computeDelta({ a: '1', b: [1, 2], c: 0 }, { a: 1, b: [2, 1], c: false })).toEqual({
      a: 1,
      b: [2, 1],
      c: false,
    });
  });

  it('does not resolve desired fields through the prototype of reported', () => {
    expect(computeDelta({}, { toString: 1 })).toEqual({ toString: 1 });
  });
});
