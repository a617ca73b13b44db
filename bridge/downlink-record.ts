import { TwinfoldError } from '../shared/errors';
import { assertDeviceId } from '../shared/ids';
import { getOwn, isPlainObject, parseJsonSafely, type JsonLimits } from '../shared/safe-json';
import type { TopicTemplate } from './topic-template';

export const DOWNLINK_KINDS = ['command', 'desired'] as const;
export type DownlinkKind = (typeof DOWNLINK_KINDS)[number];

/** One device.downlink record, checked: what to publish where. */
export interface DownlinkDelivery {
  kind: DownlinkKind;
  deviceId: string;
  /** The MQTT topic, e.g. `device/sensor-1/command`. */
  topic: string;
  /** `payload` as compact JSON. */
  payload: string;
}

function isDownlinkKind(value: unknown): value is DownlinkKind {
  return typeof value === 'string' && (DOWNLINK_KINDS as readonly string[]).includes(value);
}

/** One device.downlink record, checked, before it is given an MQTT topic. */
export interface DownlinkBody {
  kind: DownlinkKind;
  deviceId: string;
  payload: Record<string, unknown>;
}

/**
 * Parses a device.downlink record (`{"kind":"command"|"desired","deviceId","payload":{...}}`, keyed
 * by the device id). Throws TwinfoldError (MALFORMED_JSON, LIMIT_EXCEEDED, PAYLOAD_TOO_LARGE,
 * INVALID_ID or VALIDATION_ERROR) for a record that must not be delivered. Shared by the MQTT
 * bridge and the Eclipse Hono adapter (adapters/hono).
 */
export function parseDownlinkBody(
  key: Buffer | null,
  value: Buffer | null,
  limits: JsonLimits,
): DownlinkBody {
  if (value === null) throw new TwinfoldError('VALIDATION_ERROR', 'downlink record has no value');
  const body = parseJsonSafely(value, limits);
  if (!isPlainObject(body))
    throw new TwinfoldError('VALIDATION_ERROR', 'downlink record must be a JSON object');
  const kind = getOwn(body, 'kind');
  if (!isDownlinkKind(kind))
    throw new TwinfoldError('VALIDATION_ERROR', 'downlink kind must be command or desired');
  const deviceId = assertDeviceId(getOwn(body, 'deviceId'));
  const keyText = key?.toString('utf8');
  if (keyText !== undefined && keyText !== deviceId) {
    throw new TwinfoldError('VALIDATION_ERROR', 'downlink record key does not match its deviceId');
  }
  const payload = getOwn(body, 'payload');
  if (!isPlainObject(payload))
    throw new TwinfoldError('VALIDATION_ERROR', 'downlink payload must be a JSON object');
  return { kind, deviceId, payload };
}

/** parseDownlinkBody, and the MQTT topic the bridge publishes the payload on. */
export function parseDownlinkRecord(
  key: Buffer | null,
  value: Buffer | null,
  topics: Record<DownlinkKind, TopicTemplate>,
  limits: JsonLimits,
): DownlinkDelivery {
  const { kind, deviceId, payload } = parseDownlinkBody(key, value, limits);
  return { kind, deviceId, topic: topics[kind].format(deviceId), payload: JSON.stringify(payload) };
}
