import { TwinfoldError } from '../../../shared/errors';
import { etagFor, parseIfMatch } from '../../../api/conditional';
import { toApiError } from '../../../api/error-handler';
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

describe('route paths', () => {
  it('extracts parameters and converts to OpenAPI templates', () => {
    expect(pathParamNames('/api/v1/twins/:id/commands/:cid')).toEqual(['id', 'cid']);
    expect(openApiPath('/api/v1/twins/:id/commands/:cid')).toBe('/api/v1/twins/{id}/commands/{cid}');
  });
});
