import type { RecordHeaders } from './provenance';

/**
 * The network-behaviour metadata the bridge puts on every uplink record (docs/contract.md,
 * "Behaviour metadata"), and how the processor reads it back. QoS, retain and the receive time
 * are the existing `mqtt.qos`, `mqtt.retain` and `mqtt.received_at` headers.
 */
export const BEHAVIOUR_HEADERS = {
  payloadBytes: 'twinfold.payload_bytes',
  dup: 'twinfold.dup',
  clientId: 'twinfold.client_id',
  deviceTs: 'twinfold.device_ts',
  label: 'twinfold.label',
  qos: 'mqtt.qos',
  retain: 'mqtt.retain',
  receivedAt: 'mqtt.received_at',
} as const;

/** MQTT 5 user properties a publisher may set: its client id and a ground-truth label. */
export const CLIENT_ID_PROPERTY = 'twinfold-client-id';
export const LABEL_PROPERTY = 'twinfold-label';

/** A label: a short word (`beaconing`, `traffic_spike`, ...). */
export const LABEL_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/** What the behaviour fold reads of one device record besides its kind and record time. */
export interface BehaviourMeta {
  /** Payload bytes (the header, else the record value's length). */
  bytes: number;
  qos: number;
  dup: boolean;
  retain: boolean;
  /** The device's own time of the message, when it carried one. */
  deviceTs?: number;
  /**
   * When the bridge received it (input topics keep the broker's append time as the record time,
   * which batching blurs): the behaviour's clock when present.
   */
  receivedAt?: number;
  label?: string;
}

function text(headers: RecordHeaders | undefined, name: string): string | undefined {
  const raw = headers === undefined || !Object.hasOwn(headers, name) ? undefined : headers[name];
  if (raw === undefined || Array.isArray(raw)) return undefined;
  const s = Buffer.isBuffer(raw) ? raw.toString('latin1') : raw;
  return s.length > 64 ? undefined : s;
}

function count(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * The behaviour metadata of a record. Headers are untrusted: a missing or malformed one falls back
 * to what the record itself says (its value's length, QoS 0, no DUP, no retain, no device time,
 * no label); it never refuses the record.
 */
export function decodeBehaviour(headers: RecordHeaders | undefined, valueBytes: number): BehaviourMeta {
  const qos = count(text(headers, BEHAVIOUR_HEADERS.qos));
  const deviceTs = count(text(headers, BEHAVIOUR_HEADERS.deviceTs));
  const label = text(headers, BEHAVIOUR_HEADERS.label);
  const meta: BehaviourMeta = {
    bytes: count(text(headers, BEHAVIOUR_HEADERS.payloadBytes)) ?? valueBytes,
    qos: qos !== undefined && qos <= 2 ? qos : 0,
    dup: text(headers, BEHAVIOUR_HEADERS.dup) === 'true',
    retain: text(headers, BEHAVIOUR_HEADERS.retain) === 'true',
  };
  if (deviceTs !== undefined) meta.deviceTs = deviceTs;
  const receivedAt = count(text(headers, BEHAVIOUR_HEADERS.receivedAt));
  if (receivedAt !== undefined) meta.receivedAt = receivedAt;
  if (label !== undefined && LABEL_PATTERN.test(label)) meta.label = label;
  return meta;
}
