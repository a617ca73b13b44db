import { isTwinfoldError } from '../../../shared/errors';
import { decodeCursor, encodeCursor, type CursorScope } from '../../../topology/history/cursor';

const scope: CursorScope = { kind: 'telemetry', deviceId: 'dev-1', order: 'asc' };

function refusal(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return isTwinfoldError(err) ? { code: err.code, field: err.details?.field } : err;
  }
  return 'accepted';
}

describe('history cursors', () => {
  it('give back the position they were made with', () => {
    expect(decodeCursor(scope, encodeCursor(scope, 'pos|1'))).toBe('pos|1');
  });

  it.each([
    ['garbage', '%%%'],
    ['empty', ''],
    ['base64 of nothing useful', Buffer.from('hello').toString('base64url')],
    [
      'an altered position',
      Buffer.from(
        Buffer.from(encodeCursor(scope, 'pos|1'), 'base64url').toString().replace('pos|1', 'pos|2'),
      ).toString('base64url'),
    ],
    ['another device', encodeCursor({ ...scope, deviceId: 'dev-2' }, 'pos|1')],
    ['another order', encodeCursor({ ...scope, order: 'desc' }, 'pos|1')],
    ['another kind', encodeCursor({ ...scope, kind: 'history' }, 'pos|1')],
    ['too long', 'A'.repeat(2000)],
  ])('are refused with VALIDATION_ERROR on cursor: %s', (_name, cursor) => {
    expect(refusal(() => decodeCursor(scope, cursor))).toEqual({ code: 'VALIDATION_ERROR', field: 'cursor' });
  });
});
