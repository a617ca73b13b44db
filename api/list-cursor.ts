import { TwinfoldError } from '../shared/errors';
import { isDeviceId } from '../shared/ids';
import { getOwn, isPlainObject, parseJsonSafely } from '../shared/safe-json';

/**
 * The list cursor: the last id of the previous page, as base64url-encoded `{"after": id}` so it
 * stays opaque and a string that merely decodes to text is not taken for one. Every instance
 * encodes it the same way, so a cursor from a merged page can be handed to each of them.
 */
export function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ after: id }), 'utf8').toString('base64url');
}

/** The id after which the next page starts; throws VALIDATION_ERROR for a cursor not made here. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  let after: unknown;
  try {
    const parsed = parseJsonSafely(Buffer.from(cursor, 'base64url'));
    after = isPlainObject(parsed) ? getOwn(parsed, 'after') : undefined;
  } catch {
    after = undefined;
  }
  if (!isDeviceId(after) || encodeCursor(after) !== cursor)
    throw new TwinfoldError('VALIDATION_ERROR', 'cursor is not valid: use nextCursor of the previous page');
  return after;
}
