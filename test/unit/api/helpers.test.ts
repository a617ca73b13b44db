import { TwinfoldError } from '../../../shared/errors';
import { etagFor, parseIfMatch } from '../../../api/conditional';
import { toApiError } from '../../../api/error-handler';
import { computeDelta, jsonEqual, mergePatch } from '../../../api/merge-patch';
import { openApiPath, pathParamNames } from '../../../api/route';

describe('parseIfMatch', () => {
  it.each([
    [undefined, undefined],
    ['*', undefined],
    ['"17"', 17],
    [' "0" ', 0],
  ])('%j -> %j', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it.each(['W/"17"', '17', '"1", "2"', '"-1"', '"1e3"', ''])('rejects %j', (header) => {
    expect(() => parseIfMatch(header)).toThrow(TwinfoldError);
  });

  it('round-trips etagFor', () => {
    expect(parseIfMatch(etagFor(42))).toBe(42);
  });
});

describe('toApiError', () => {
  it.each([
    [
      { type: 'entity.too.large', status: 413, limit: 10, message: 'request entity too large' },
      'PAYLOAD_TOO_LARGE',
    ],
    [{ type: 'entity.parse.failed', status: 400, message: 'Unexpected token' }, 'MALFORMED_JSON'],
    [{ type: 'charset.unsupported', status: 415, message: 'unsupported charset "X"' }, 'VALIDATION_ERROR'],
    [{ type: 'request.aborted', status: 400, message: 'request aborted' }, 'VALIDATION_ERROR'],
    [Object.assign(new URIError('Failed to decode param'), { status: 400 }), 'VALIDATION_ERROR'],
    [{ status: 413, message: 'too many parameters' }, 'PAYLOAD_TOO_LARGE'],
    [new Error('boom'), 'INTERNAL'],
    [{ status: 502, message: 'x' }, 'INTERNAL'],
    ['a string', 'INTERNAL'],
  ])('maps %j to %s', (err, code) => {
    expect(toApiError(err).code).toBe(code);
  });

  it('keeps TwinfoldErrors as they are', () => {
    const err = new TwinfoldError('NOT_READY', 'x');
    expect(toApiError(err)).toBe(err);
  });
});

describe('mergePatch (RFC 7386)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('does not mutate its inputs and skips forbidden keys', () => {
    const target = { a: { b: 1 } };
    const patch = JSON.parse('{"a":{"c":2},"__proto__":{"x":1}}') as Record<string, never>;
    const out = mergePatch(target, patch);
    expect(target).toEqual({ a: { b: 1 } });
    expect(out).toEqual({ a: { b: 1, c: 2 } });
    expect(Object.getPrototypeOf(out)).toBe(Object.getPrototypeOf({}));
  });
});

describe('computeDelta and jsonEqual', () => {
  it('lists desired fields whose reported value differs', () => {
    expect(computeDelta({ a: 1, b: { c: [1, 2] }, d: 'x' }, { a: 1, b: { c: [1, 2] }, d: 'y' })).toEqual({
      d: 'x',
    });
    expect(computeDelta({}, { a: 1 })).toEqual({});
  });

  it('compares deeply', () => {
    expect(jsonEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual({ toString: 1 }, { other: 1 })).toBe(false);
  });
});

describe('route paths', () => {
  it('extracts parameters and converts to OpenAPI templates', () => {
    expect(pathParamNames('/api/v1/twins/:id/commands/:cid')).toEqual(['id', 'cid']);
    expect(openApiPath('/api/v1/twins/:id/commands/:cid')).toBe('/api/v1/twins/{id}/commands/{cid}');
  });
});
