import type { JsonObject, JsonValue } from '../../../shared/json';
import { applyEdit, diff, mergePatchBetween, toMergePatch } from '../../../topology/history/edit';
import { mergePatch } from '../../../topology/twin';

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function randomJson(r: () => number, depth: number, nulls: boolean): JsonValue {
  const pick = r();
  if (depth <= 0 || pick < 0.4) {
    const leaf = r();
    if (leaf < 0.3) return Math.round(r() * 100);
    if (leaf < 0.5) return r() < 0.5;
    if (leaf < 0.7 && nulls) return null;
    if (leaf < 0.85) return ['a', 'b', 'c'][Math.floor(r() * 3)]!;
    return [1, 2];
  }
  return randomObject(r, depth - 1, nulls);
}

function randomObject(r: () => number, depth: number, nulls: boolean): JsonObject {
  const out: JsonObject = {};
  for (const key of ['a', 'b', 'c', 'd']) if (r() < 0.6) out[key] = randomJson(r, depth, nulls);
  return out;
}

describe('exact edits', () => {
  it('applyEdit(a, diff(a, b)) is b, for values with nulls, in both directions, without touching a', () => {
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const a = randomObject(r, 3, true);
      const b = randomObject(r, 3, true);
      const before = structuredClone(a);
      expect(applyEdit(a, diff(a, b))).toEqual(b);
      expect(applyEdit(b, diff(b, a))).toEqual(a);
      expect(a).toEqual(before);
    }
  });

  it('takes a document to nothing and back', () => {
    const doc = { id: 'x', since: null };
    expect(applyEdit(doc, diff(doc, undefined))).toBeUndefined();
    expect(applyEdit(undefined, diff(undefined, doc))).toEqual(doc);
    expect(diff(doc, structuredClone(doc))).toBeUndefined();
  });

  it('gives RFC 7386 merge patches that take the old document to the new one (no null values)', () => {
    const r = rng(11);
    for (let i = 0; i < 2000; i++) {
      const a = randomObject(r, 3, false);
      const b = randomObject(r, 3, false);
      expect(mergePatch(a, mergePatchBetween(a, b))).toEqual(b);
    }
  });

  it('says a deletion with an empty patch', () => {
    expect(toMergePatch(diff({ a: 1 }, undefined))).toEqual({});
    expect(toMergePatch(diff(undefined, { a: 1 }))).toEqual({ a: 1 });
  });

  it('never writes a prototype key', () => {
    const edit = JSON.parse('{"o":{"__proto__":{"s":{"polluted":true}}}}') as Parameters<typeof applyEdit>[1];
    const out = applyEdit({}, edit) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual([]);
  });
});
