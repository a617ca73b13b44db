import { TwinfoldError } from '../shared/errors';

/**
 * The list cursor: the last id of the previous page, base64url-encoded so it stays opaque. Every
 * instance encodes it the same way, so a cursor from a merged page can be handed to each of them.
 */
export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** The id after which the next page starts; throws VALIDATION_ERROR for a cursor not made here. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (id.length === 0 || encodeCursor(id) !== cursor)
    throw new TwinfoldError('VALIDATION_ERROR', 'cursor is not one this API issued');
  return id;
}
