import { TwinfoldError } from '../../../shared/errors';
import {
  assertNestingWithin,
  decodeUtf8Strict,
  DEFAULT_JSON_LIMITS,
  getOwn,
  isForbiddenKey,
  isPlainObject,
  parseJsonSafely,
} from '../../../shared/safe-json';
import { codeOf } from '../../support/error-code';

const limits = { maxBytes: 1024, maxDepth: 4, maxKeys: 5 };

afterEach(() => {
  // Every test must leave Object.prototype clean.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('parseJsonSafely', () => {
  it('exports the documented defaults', () => {
    expect(DEFAULT_JSON_LIMITS).toEqual({ maxBytes: 256 * 1024, maxDepth: 32, maxKeys: 1000 });
  });

  it('parses objects, arrays and scalars from a Buffer or a string', () => {
    expect(parseJsonSafely(Buffer.from('{"a":[1,"x",null,true]}'), limits)).toEqual({
      a: [1, 'x', null, true],
    });
    expect(parseJsonSafely('"hello"', limits)).toBe('hello');
    expect(parseJsonSafely('42', limits)).toBe(42);
    expect(parseJsonSafely('null', limits)).toBeNull();
  });

  it('uses the defaults when no limits are given', () => {
    expect(parseJsonSafely('{"a":1}')).toEqual({ a: 1 });
  });

  it('returns plain objects', () => {
    const parsed = parseJsonSafely('{"a":{"b":{}}}', limits) as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(parsed.a)).toBe(Object.prototype);
  });

  it('rejects a payload over maxBytes before parsing it (even when it is not JSON)', () => {
    expect(codeOf(() => parseJsonSafely(Buffer.alloc(1025, 0x7b), limits))).toBe('PAYLOAD_TOO_LARGE');
    expect(codeOf(() => parseJsonSafely('x'.repeat(1025), limits))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('counts bytes, not characters, for strings', () => {
    const text = `"${'é'.repeat(600)}"`; // 602 characters, 1202 bytes
    expect(text.length).toBeLessThan(1024);
    expect(codeOf(() => parseJsonSafely(text, limits))).toBe('PAYLOAD_TOO_LARGE');
  });

  it('accepts a payload of exactly maxBytes', () => {
    const text = `"${'a'.repeat(1022)}"`;
    expect(parseJsonSafely(text, limits)).toHaveLength(1022);
  });

  it('rejects invalid JSON as MALFORMED_JSON', () => {
    for (const bad of ['', '{', '{"a":}', "{'a':1}", '[1,]', 'undefined', '{"a":1}x']) {
      expect(codeOf(() => parseJsonSafely(bad, limits))).toBe('MALFORMED_JSON');
    }
  });

  it('rejects invalid UTF-8 as MALFORMED_JSON', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(codeOf(() => parseJsonSafely(bytes, limits))).toBe('MALFORMED_JSON');
    expect(codeOf(() => parseJsonSafely(Buffer.from([0xff, 0xfe]), limits))).toBe('MALFORMED_JSON');
  });

  it('accepts valid multi-byte UTF-8', () => {
    expect(parseJsonSafely(Buffer.from('{"t":"20 °C ✓ 😀"}'), limits)).toEqual({ t: '20 °C ✓ 😀' });
  });

  it('rejects 10,000-deep nesting without overflowing the stack', () => {
    const deepArrays = '['.repeat(10_000) + ']'.repeat(10_000);
    const deepObjects = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    expect(codeOf(() => parseJsonSafely(deepArrays, { ...DEFAULT_JSON_LIMITS, maxBytes: 1e6 }))).toBe(
      'LIMIT_EXCEEDED',
    );
    expect(codeOf(() => parseJsonSafely(deepObjects, { ...DEFAULT_JSON_LIMITS, maxBytes: 1e6 }))).toBe(
      'LIMIT_EXCEEDED',
    );
  });

  it('rejects unbalanced deep nesting too (the scan runs before JSON.parse)', () => {
    expect(codeOf(() => parseJsonSafely('['.repeat(100_000), { ...limits, maxBytes: 1e6 }))).toBe(
      'LIMIT_EXCEEDED',
    );
  });

  it('allows exactly maxDepth levels and rejects one more', () => {
    expect(parseJsonSafely('[[[[1]]]]', limits)).toEqual([[[[1]]]]);
    expect(codeOf(() => parseJsonSafely('[[[[[1]]]]]', limits))).toBe('LIMIT_EXCEEDED');
    expect(parseJsonSafely('{"a":{"b":{"c":{"d":1}}}}', limits)).toEqual({ a: { b: { c: { d: 1 } } } });
    expect(codeOf(() => parseJsonSafely('{"a":{"b":{"c":{"d":{}}}}}', limits))).toBe('LIMIT_EXCEEDED');
  });

  it('does not count brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(parseJsonSafely('{"a":"[[[[[[[[{{{{{"}', limits)).toEqual({ a: '[[[[[[[[{{{{{' });
    expect(parseJsonSafely('["\\"[[[[[[", "\\\\", "[[[[[["]', limits)).toEqual(['"[[[[[[', '\\', '[[[[[[']);
  });

  it('counts keys across all levels', () => {
    expect(parseJsonSafely('{"a":1,"b":2,"c":{"d":3,"e":4}}', limits)).toBeDefined();
    expect(codeOf(() => parseJsonSafely('{"a":1,"b":2,"c":{"d":3,"e":4,"f":5}}', limits))).toBe(
      'LIMIT_EXCEEDED',
    );
    expect(codeOf(() => parseJsonSafely('[{"a":1,"b":2},{"c":3,"d":4},{"e":5,"f":6}]', limits))).toBe(
      'LIMIT_EXCEEDED',
    );
  });

  it('does not count array elements as keys', () => {
    expect(parseJsonSafely('[1,2,3,4,5,6,7,8,9,10]', limits)).toHaveLength(10);
  });

  it('rejects numbers that overflow to Infinity', () => {
    expect(codeOf(() => parseJsonSafely('{"a":1e400}', limits))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseJsonSafely('-1e400', limits))).toBe('LIMIT_EXCEEDED');
  });

  it('turns -0 into 0 (JSON cannot carry it)', () => {
    expect(Object.is(parseJsonSafely('-0', limits), 0)).toBe(true);
    expect(Object.is((parseJsonSafely('[-0.0]', limits) as number[])[0], 0)).toBe(true);
  });

  it('drops __proto__, constructor and prototype keys at every level', () => {
    const parsed = parseJsonSafely(
      '{"__proto__":{"polluted":1},"ok":1,"nested":{"constructor":{"prototype":{"polluted":1}},"x":[{"__proto__":{"polluted":1},"y":2}]},"prototype":3}',
      { ...limits, maxDepth: 8, maxKeys: 20 },
    );
    expect(parsed).toEqual({ ok: 1, nested: { x: [{ y: 2 }] } });
    const obj = parsed as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(obj, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(obj.polluted).toBeUndefined();
  });

  it('leaves Object.prototype clean when the result is merged naively', () => {
    const parsed = parseJsonSafely(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
      limits,
    );
    const naiveMerge = (target: Record<string, unknown>, source: Record<string, unknown>): void => {
      for (const key of Object.keys(source)) {
        const value = source[key];
        if (isPlainObject(value)) {
          if (!isPlainObject(target[key])) target[key] = {};
          naiveMerge(target[key] as Record<string, unknown>, value);
        } else target[key] = value;
      }
    };
    naiveMerge({}, parsed as Record<string, unknown>);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws TwinfoldErrors carrying the cause for malformed input', () => {
    try {
      parseJsonSafely('{', limits);
      throw new Error('expected a throw');
    } catch (err) {
      expect((err as TwinfoldError).cause).toBeInstanceOf(SyntaxError);
      expect((err as TwinfoldError).httpStatus).toBe(400);
    }
  });
});

describe('assertNestingWithin', () => {
  it('passes shallow text and throws LIMIT_EXCEEDED past the limit', () => {
    expect(() => assertNestingWithin('[[]]', 2)).not.toThrow();
    expect(codeOf(() => assertNestingWithin('[[[]]]', 2))).toBe('LIMIT_EXCEEDED');
  });
});

describe('decodeUtf8Strict', () => {
  it('decodes valid UTF-8 and rejects an overlong encoding', () => {
    expect(decodeUtf8Strict(Buffer.from('héllo'))).toBe('héllo');
    expect(codeOf(() => decodeUtf8Strict(Buffer.from([0xc0, 0xaf])))).toBe('MALFORMED_JSON');
  });
});

describe('isPlainObject', () => {
  it('accepts plain objects from another realm (structuredClone under jest, vm contexts)', () => {
    expect(isPlainObject(structuredClone({ a: 1 }))).toBe(true);
    expect(isPlainObject(structuredClone([1]))).toBe(false);
  });

  it('accepts object literals and null-prototype objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    class Point {
      x = 1;
    }
    for (const v of [null, undefined, [], 'x', 1, new Date(), new Map(), Buffer.alloc(1), new Point(), /x/]) {
      expect(isPlainObject(v)).toBe(false);
    }
  });
});

describe('getOwn and isForbiddenKey', () => {
  it('reads own properties only', () => {
    expect(getOwn({ a: 1 }, 'a')).toBe(1);
    expect(getOwn({}, 'toString')).toBeUndefined();
    expect(getOwn({}, '__proto__')).toBeUndefined();
  });

  it('flags exactly the three prototype keys', () => {
    expect(['__proto__', 'constructor', 'prototype'].every(isForbiddenKey)).toBe(true);
    expect(['proto', 'toString', '__proto', 'Constructor'].some(isForbiddenKey)).toBe(false);
  });
});
