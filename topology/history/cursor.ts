import { createHash } from 'node:crypto';
import { TwinfoldError } from '../../shared/errors';

/**
 * Opaque page cursors: base64url of `<kind>|<deviceId>|<order>|<position>|<check>`, where check is
 * a hash of the rest. A cursor that does not decode, fails its check, names another device, kind
 * or order, or a position outside the query's range is a VALIDATION_ERROR on `cursor`.
 */
export type CursorKind = 'telemetry' | 'history';

export interface CursorScope {
  kind: CursorKind;
  deviceId: string;
  order: 'asc' | 'desc';
}

function check(body: string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 10);
}

export function encodeCursor(scope: CursorScope, position: string): string {
  const body = `${scope.kind}|${scope.deviceId}|${scope.order}|${position}`;
  return Buffer.from(`${body}|${check(body)}`, 'utf8').toString('base64url');
}

export function badCursor(why: string): TwinfoldError {
  return new TwinfoldError('VALIDATION_ERROR', `cursor ${why}`, { details: { field: 'cursor' } });
}

/** The position a cursor of `scope` carries; throws VALIDATION_ERROR for anything else. */
export function decodeCursor(scope: CursorScope, cursor: string): string {
  if (cursor.length === 0 || cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw badCursor('is malformed');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const cut = text.lastIndexOf('|');
  const body = text.slice(0, cut);
  if (cut < 0 || text.slice(cut + 1) !== check(body)) throw badCursor('is malformed or was altered');
  const prefix = `${scope.kind}|${scope.deviceId}|${scope.order}|`;
  if (!body.startsWith(prefix))
    throw badCursor(`belongs to another query (${scope.kind} of ${scope.deviceId}, ${scope.order})`);
  return body.slice(prefix.length);
}
