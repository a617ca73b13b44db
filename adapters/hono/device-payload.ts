import { TwinfoldError } from '../../shared/errors';
import { decodeInput, type DecodeLimits } from '../../shared/inputs';
import { getOwn, isPlainObject, parseJsonSafely } from '../../shared/safe-json';

/**
 * The bytes to write to device.telemetry / device.state for a Hono device's JSON payload, checked
 * with twinfold's one decoder (`decodeInput`) so the processor accepts what the adapter writes.
 * The device's bytes are kept as they are when they carry their own `timestamp` and no
 * `device_id` naming the Hono device; otherwise the object is written again with `timestamp` set
 * to Hono's `creation-time` (so the reading keeps its time across a backlog) and such a
 * `device_id` replaced by the twin id. Throws TwinfoldError (MALFORMED_JSON, LIMIT_EXCEEDED,
 * VALIDATION_ERROR, DEVICE_ID_MISMATCH for a `device_id` naming yet another device, ...).
 */
export function devicePayload(
  kind: 'telemetry' | 'state',
  twinId: string,
  honoDeviceId: string,
  value: Buffer | null,
  creationTimeMs: number,
  limits: DecodeLimits,
  nowMs: number,
): Buffer {
  if (value === null || value.length === 0)
    throw new TwinfoldError(
      'VALIDATION_ERROR',
      `Hono ${kind} message with a JSON content type has no payload`,
    );
  const parsed = parseJsonSafely(value, limits);
  let bytes = value;
  if (isPlainObject(parsed)) {
    const renamed = getOwn(parsed, 'device_id') === honoDeviceId && honoDeviceId !== twinId;
    const untimed = getOwn(parsed, 'timestamp') === undefined;
    if (renamed || untimed) {
      const rewritten: Record<string, unknown> = { ...parsed };
      if (renamed) rewritten.device_id = twinId;
      if (untimed) rewritten.timestamp = creationTimeMs;
      bytes = Buffer.from(JSON.stringify(rewritten), 'utf8');
    }
  }
  decodeInput(kind, twinId, bytes, nowMs, limits);
  return bytes;
}
