import { TwinfoldError } from '../errors';
import { assertDeviceId } from '../ids';
import { decodeUtf8Strict, DEFAULT_JSON_LIMITS, type JsonLimits } from '../safe-json';
import { decodeCommand, decodeDesired, decodeRegistry } from './decode-app';
import { decodeAck, decodeError, decodeState, decodeStatus, decodeTelemetry } from './decode-device';
import { decodeBehaviour } from './behaviour';
import { decodeProvenance, type RecordHeaders } from './provenance';
import type { RawRecord } from './raw-record';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from './timestamps';
import { APPLICATION_KINDS, INPUT_KINDS, type InputKind, type TwinInput } from './types';

/** The JSON limits, and how far ahead of the record time a device clock may run (default 5 min). */
export type DecodeLimits = JsonLimits & { maxClockSkewMs?: number };

const DECODERS: Record<InputKind, (raw: RawRecord) => TwinInput> = {
  telemetry: decodeTelemetry,
  state: decodeState,
  status: decodeStatus,
  ack: decodeAck,
  error: decodeError,
  desired: decodeDesired,
  command: decodeCommand,
  registry: decodeRegistry,
};

/**
 * Decodes one input into a typed, validated TwinInput: the one definition of what twinfold accepts,
 * run by the bridge on every MQTT message (with the device id of the topic) and by the processor
 * on every record (with the Kafka key), so both give the same verdict on the same bytes.
 * Pure: the record timestamp is the only time it knows. Throws TwinfoldError, the code the dead
 * letter carries: INVALID_ID for a missing or invalid key; PAYLOAD_TOO_LARGE, MALFORMED_JSON (also
 * invalid UTF-8), LIMIT_EXCEEDED from parseJsonSafely; DEVICE_ID_MISMATCH when the payload names
 * another device; VALIDATION_ERROR for a null value, a wrong shape or a bad timestamp.
 * `headers`: an application record's `twinfold.actor` and `twinfold.reason` (see provenance.ts)
 * become its `actor` and `reason`; a device record's behaviour headers its `behaviour` (behaviour.ts).
 */
export function decodeInput(
  kind: InputKind,
  key: Buffer | string | null,
  value: Buffer | string | null,
  recordTimestampMs: number,
  limits: DecodeLimits = DEFAULT_JSON_LIMITS,
  headers?: RecordHeaders,
): TwinInput {
  const decoder = INPUT_KINDS.includes(kind) ? DECODERS[kind] : undefined;
  if (decoder === undefined)
    throw new TwinfoldError('VALIDATION_ERROR', `unknown input kind ${String(kind)}`);
  const deviceId = decodeKey(key);
  if (!Number.isSafeInteger(recordTimestampMs) || recordTimestampMs < 0) {
    throw new TwinfoldError(
      'VALIDATION_ERROR',
      `record timestamp ${recordTimestampMs} is not epoch milliseconds`,
    );
  }
  if (value === null) throw new TwinfoldError('VALIDATION_ERROR', `${kind} record has no value`);
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const maxClockSkewMs = limits.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  const input = decoder({ deviceId, value: bytes, recordTimestampMs, limits, maxClockSkewMs });
  if (headers === undefined) return input;
  if (!(APPLICATION_KINDS as readonly InputKind[]).includes(kind))
    return { ...input, behaviour: decodeBehaviour(headers, bytes.length) };
  return { ...input, ...decodeProvenance(headers) };
}

/** The Kafka key (or the MQTT topic's id level) is the device id (UTF-8); anything else is INVALID_ID. */
export function decodeKey(key: Buffer | string | null): string {
  if (key === null) throw new TwinfoldError('INVALID_ID', 'record has no key (device id)');
  if (typeof key === 'string') return assertDeviceId(key);
  let text: string;
  try {
    text = decodeUtf8Strict(key);
  } catch {
    throw new TwinfoldError('INVALID_ID', 'record key is not valid UTF-8');
  }
  return assertDeviceId(text);
}
