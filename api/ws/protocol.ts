import { TwinfoldError } from '../../shared/errors';
import { assertDeviceId } from '../../shared/ids';
import { parseJsonSafely, type JsonLimits } from '../../shared/safe-json';
import type { TwinFilter } from '../backend';
import { MAX_TOKEN_LENGTH } from '../auth/bearer';
import type { ChangeSelector } from '../events/twin-change';
import type { JsonObject } from '../json';
import {
  ATTRIBUTE_FILTER_PREFIX,
  parseText,
  parseTwinFilter,
  rejectUnknownFields,
  requireObject,
} from '../validate';

/** A client message of the WebSocket API, checked (docs/contract.md "WebSocket"). */
export type ClientMessage =
  | { action: 'auth'; token: string }
  | { action: 'subscribe'; id: string; selector: ChangeSelector; position?: string }
  | { action: 'unsubscribe'; id: string };

/** The id of a filter subscription that names none. */
export const DEFAULT_FLEET_SUBSCRIPTION = 'fleet';

const FILTER_FIELDS = ['type', 'status', 'lifecycle'];

function invalid(message: string): TwinfoldError {
  return new TwinfoldError('VALIDATION_ERROR', message);
}

/**
 * A filter object: the list API's query parameters (`type`, `status`, `lifecycle`, `attr.KEY`) as
 * string values, parsed by the list API's own parser.
 */
function parseFilter(value: unknown): TwinFilter {
  const obj = requireObject(value, 'filter');
  const query: Record<string, string> = {};
  for (const [name, v] of Object.entries(obj)) {
    if (!FILTER_FIELDS.includes(name) && !name.startsWith(ATTRIBUTE_FILTER_PREFIX))
      throw invalid(`filter has unknown field ${name}; allowed: ${FILTER_FIELDS.join(', ')}, attr.KEY`);
    if (typeof v !== 'string') throw invalid(`filter.${name} must be a string, as in the list API's query`);
    query[name] = v;
  }
  return parseTwinFilter(query);
}

function optionalText(obj: JsonObject, field: string): string | undefined {
  const value = obj[field];
  return value === undefined ? undefined : parseText(value, field);
}

function parseSubscribe(obj: JsonObject): ClientMessage {
  rejectUnknownFields(obj, ['action', 'twin_id', 'filter', 'id', 'position'], 'subscribe');
  if ((obj.twin_id === undefined) === (obj.filter === undefined))
    throw invalid('subscribe needs exactly one of twin_id (one twin) and filter (a fleet)');
  const id = optionalText(obj, 'id');
  const position = optionalText(obj, 'position');
  const selector: ChangeSelector =
    obj.twin_id !== undefined
      ? { kind: 'twin', id: assertDeviceId(obj.twin_id) }
      : { kind: 'fleet', filter: parseFilter(obj.filter) };
  const defaultId = selector.kind === 'twin' ? selector.id : DEFAULT_FLEET_SUBSCRIPTION;
  return {
    action: 'subscribe',
    id: id ?? defaultId,
    selector,
    ...(position === undefined ? {} : { position }),
  };
}

/**
 * Parses one client message (untrusted: shared/safe-json). Throws TwinfoldError: MALFORMED_JSON,
 * LIMIT_EXCEEDED, PAYLOAD_TOO_LARGE, VALIDATION_ERROR or INVALID_ID, with what is wrong.
 */
export function parseClientMessage(data: Buffer | string, limits: JsonLimits): ClientMessage {
  const obj = requireObject(parseJsonSafely(data, limits), 'a message');
  switch (obj.action) {
    case 'auth':
      rejectUnknownFields(obj, ['action', 'token'], 'auth');
      return { action: 'auth', token: parseText(obj.token, 'token', MAX_TOKEN_LENGTH) };
    case 'subscribe':
      return parseSubscribe(obj);
    case 'unsubscribe': {
      rejectUnknownFields(obj, ['action', 'id', 'twin_id'], 'unsubscribe');
      const id = optionalText(obj, 'id') ?? optionalText(obj, 'twin_id');
      if (id === undefined) throw invalid('unsubscribe needs the id (or twin_id) of a subscription');
      return { action: 'unsubscribe', id };
    }
    default:
      throw invalid('action must be auth, subscribe or unsubscribe');
  }
}
