import { TwinfoldError } from '../../shared/errors';
import { assertDeviceId } from '../../shared/ids';
import { decodeUtf8Strict, DEFAULT_JSON_LIMITS, type JsonLimits } from '../../shared/safe-json';
import { decodeCommand, decodeDesired, decodeRegistry } from './decode-app';
import {
  decodeAck,
  decodeError,
  decodeState,
  decodeStatus,
  decodeTelemetry,
  type RawRecord,
} from './decode-device';
import { INPUT_KINDS, type InputKind, type TwinInput } from './input-types';

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
 * Decodes one input record into a typed, validated TwinInput. Pure: the record timestamp is the
 * only time it knows. Throws TwinfoldError (the processor dead-letters the record with its code):
 * INVALID_ID for a missing or invalid key; PAYLOAD_TOO_LARGE, MALFORMED_JSON, LIMIT_EXCEEDED from
 * parseJsonSafely; VALIDATION_ERROR for a null value, a wrong shape or a bad timestamp.
 */
export function decodeInput(
  kind: InputKind,
  key: Buffer | string | null,
  value: Buffer | string | null,
  recordTimestampMs: number,
  limits: JsonLimits = DEFAULT_JSON_LIMITS,
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
  return decoder({ deviceId, value: bytes, recordTimestampMs, limits });
}

/** The Kafka key is the device id (UTF-8); anything else is INVALID_ID. */
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
