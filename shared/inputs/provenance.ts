import { TwinfoldError } from '../errors';
import { decodeUtf8Strict } from '../safe-json';

/** Kafka header naming who made an application write (the API token's subject). */
export const ACTOR_HEADER = 'twinfold.actor';
/** Kafka header with the reason an application write gave, if any. */
export const REASON_HEADER = 'twinfold.reason';
export const MAX_ACTOR_LENGTH = 256;
export const MAX_REASON_LENGTH = 1024;

/** Who made an application write and why (recorded in the twin's history). */
export interface Provenance {
  actor?: string;
  reason?: string;
}

/** A record's headers as kafkajs hands them over. */
export type RecordHeaders = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

// Control characters (C0, DEL, C1) and lone surrogates have no place in a name or a reason.
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The actor and reason headers of an application record. Header values are untrusted: each must be
 * one UTF-8 value of 1..max characters without control characters, else VALIDATION_ERROR naming
 * the header (the record is dead-lettered). Absent headers give absent fields.
 */
export function decodeProvenance(headers: RecordHeaders | undefined): Provenance {
  const actor = headerText(headers, ACTOR_HEADER, MAX_ACTOR_LENGTH);
  const reason = headerText(headers, REASON_HEADER, MAX_REASON_LENGTH);
  return { ...(actor === undefined ? {} : { actor }), ...(reason === undefined ? {} : { reason }) };
}

function headerText(headers: RecordHeaders | undefined, name: string, max: number): string | undefined {
  const raw = headers === undefined || !Object.hasOwn(headers, name) ? undefined : headers[name];
  if (raw === undefined) return undefined;
  const bad = (why: string): TwinfoldError =>
    new TwinfoldError('VALIDATION_ERROR', `header ${name} ${why}`, { details: { field: name } });
  if (Array.isArray(raw)) throw bad('must be given once');
  if (Buffer.isBuffer(raw) && raw.length > max * 4) throw bad(`must be at most ${max} characters`);
  const text = Buffer.isBuffer(raw) ? utf8(raw, bad) : raw;
  if (text.length === 0 || text.length > max) throw bad(`must be 1 to ${max} characters`);
  if (UNPRINTABLE.test(text)) throw bad('must not contain control characters');
  return text;
}

function utf8(bytes: Buffer, bad: (why: string) => TwinfoldError): string {
  try {
    return decodeUtf8Strict(bytes);
  } catch {
    throw bad('must be UTF-8');
  }
}
