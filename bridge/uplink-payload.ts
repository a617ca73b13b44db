import { TwinfoldError } from '../shared/errors';
import {
  decodeUtf8Strict,
  getOwn,
  isPlainObject,
  parseJsonSafely,
  type JsonLimits,
} from '../shared/safe-json';

/** The device → cloud MQTT message kinds (docs/contract.md, MQTT table). */
export const UPLINK_KINDS = ['telemetry', 'state', 'status', 'ack', 'error'] as const;
export type UplinkKind = (typeof UPLINK_KINDS)[number];

const STATUSES = new Set(['online', 'offline']);

function invalid(kind: UplinkKind, reason: string): TwinfoldError {
  return new TwinfoldError('VALIDATION_ERROR', `${kind} payload ${reason}`);
}

function nonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

/** The contract's required fields of each kind; anything else in the object passes through. */
function checkShape(kind: UplinkKind, body: Record<string, unknown>): void {
  switch (kind) {
    case 'telemetry': {
      const ts = getOwn(body, 'timestamp');
      if (ts !== undefined && typeof ts !== 'number' && typeof ts !== 'string') {
        throw invalid(kind, 'timestamp must be epoch seconds, epoch milliseconds or an ISO-8601 string');
      }
      return;
    }
    case 'state': {
      const version = getOwn(body, 'version');
      if (version !== undefined && !(Number.isSafeInteger(version) && (version as number) >= 0)) {
        throw invalid(kind, 'version must be a non-negative integer');
      }
      return;
    }
    case 'ack':
      if (!nonEmptyString(getOwn(body, 'command_id'))) throw invalid(kind, 'needs a command_id string');
      if (!nonEmptyString(getOwn(body, 'status'))) throw invalid(kind, 'needs a status string');
      return;
    case 'error': {
      const code = getOwn(body, 'error_code');
      if (!nonEmptyString(code) && typeof code !== 'number') throw invalid(kind, 'needs an error_code');
      if (typeof getOwn(body, 'message') !== 'string') throw invalid(kind, 'needs a message string');
      return;
    }
    case 'status': {
      const status = getOwn(body, 'status');
      if (typeof status !== 'string' || !STATUSES.has(status))
        throw invalid(kind, 'status must be online or offline');
      return;
    }
  }
}

/**
 * `online`/`offline` as plain text, as a JSON string, or `{"status": ...}`: the same JSON object.
 * Plain text is matched exactly (after trimming whitespace); anything else must be JSON.
 */
function normaliseStatus(payload: Buffer, limits: JsonLimits): Record<string, unknown> {
  if (payload.length <= 16) {
    const text = decodeUtf8Strict(payload).trim();
    if (STATUSES.has(text)) return { status: text };
  }
  const parsed = parseJsonSafely(payload, limits);
  if (typeof parsed === 'string' && STATUSES.has(parsed)) return { status: parsed };
  if (!isPlainObject(parsed)) throw invalid('status', 'must be online, offline or a JSON object');
  checkShape('status', parsed);
  return parsed;
}

/**
 * Validates one uplink payload and returns its normalised JSON text (compact, with
 * `__proto__`/`constructor`/`prototype` keys removed). Throws TwinfoldError with the code the
 * dead-letter record carries: PAYLOAD_TOO_LARGE, MALFORMED_JSON (also invalid UTF-8),
 * LIMIT_EXCEEDED or VALIDATION_ERROR (valid JSON of the wrong shape).
 */
export function normaliseUplinkPayload(kind: UplinkKind, payload: Buffer, limits: JsonLimits): string {
  if (payload.length > limits.maxBytes) {
    throw new TwinfoldError(
      'PAYLOAD_TOO_LARGE',
      `payload of ${payload.length} bytes exceeds ${limits.maxBytes}`,
      {
        details: { size: payload.length, maxBytes: limits.maxBytes },
      },
    );
  }
  if (kind === 'status') return JSON.stringify(normaliseStatus(payload, limits));
  const parsed = parseJsonSafely(payload, limits);
  if (!isPlainObject(parsed)) throw invalid(kind, 'must be a JSON object');
  checkShape(kind, parsed);
  return JSON.stringify(parsed);
}
