import type { IHeaders, Message } from 'kafkajs';
import { deadLetter } from '../shared/dead-letter';
import { toTwinfoldError, TwinfoldError, type ErrorCode } from '../shared/errors';
import { BEHAVIOUR_HEADERS, decodeInput, type DeviceKind, type TwinInput } from '../shared/inputs';
import type { JsonLimits } from '../shared/safe-json';
import type { TopicNames } from '../shared/topics';
import type { TopicTemplate } from './topic-template';

/** One MQTT PUBLISH as the bridge received it. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  receivedAt: number;
  /** Unique per received message (a UUID); lets consumers drop redelivered duplicates. */
  messageId: string;
  /** The DUP flag (a QoS 1 resend). */
  dup?: boolean;
  /** The client id the publisher declared, if any (bridge/behaviour-meta.ts). */
  clientId?: string;
  /** A ground-truth label from a labelling client id (bridge/behaviour-meta.ts). */
  label?: string;
}

/** Where each uplink kind is read from (MQTT) and written to (Kafka). */
export interface UplinkRoute {
  kind: DeviceKind;
  template: TopicTemplate;
  kafkaTopic: string;
}

/** What becomes of one inbound message: exactly one Kafka record, either the data or a dead letter. */
export interface UplinkRecord {
  topic: string;
  message: Message;
  /** The MQTT topic kind, or undefined when the topic matched no route. */
  kind: DeviceKind | undefined;
  /** Set when the record is a dead letter. */
  errorCode?: ErrorCode;
  /** Approximate size on the wire, for batch and memory limits. */
  bytes: number;
}

export function uplinkRoutes(
  templates: Record<DeviceKind, TopicTemplate>,
  names: Pick<TopicNames, 'telemetry' | 'state' | 'status' | 'acks' | 'errors'>,
): UplinkRoute[] {
  return [
    { kind: 'telemetry', template: templates.telemetry, kafkaTopic: names.telemetry },
    { kind: 'state', template: templates.state, kafkaTopic: names.state },
    { kind: 'status', template: templates.status, kafkaTopic: names.status },
    { kind: 'ack', template: templates.ack, kafkaTopic: names.acks },
    { kind: 'error', template: templates.error, kafkaTopic: names.errors },
  ];
}

function mqttHeaders(msg: InboundMessage): IHeaders {
  return {
    'mqtt.topic': msg.topic,
    'mqtt.qos': String(msg.qos),
    'mqtt.received_at': String(msg.receivedAt),
    'mqtt.message_id': msg.messageId,
    'mqtt.retain': String(msg.retain),
  };
}

/**
 * The behaviour metadata of an accepted message (docs/contract.md, "Behaviour metadata"): payload
 * size, DUP, declared client id, the device's own time when the payload carried one, the label.
 */
function behaviourHeaders(msg: InboundMessage, input: TwinInput): IHeaders {
  const headers: IHeaders = {
    [BEHAVIOUR_HEADERS.payloadBytes]: String(msg.payload.length),
    [BEHAVIOUR_HEADERS.dup]: String(msg.dup === true),
  };
  const deviceTs =
    input.deviceTimestampMs ?? (input.timestampMs !== msg.receivedAt ? input.timestampMs : undefined);
  if (deviceTs !== undefined) headers[BEHAVIOUR_HEADERS.deviceTs] = String(deviceTs);
  if (msg.clientId !== undefined) headers[BEHAVIOUR_HEADERS.clientId] = msg.clientId;
  if (msg.label !== undefined) headers[BEHAVIOUR_HEADERS.label] = msg.label;
  return headers;
}

function sizeOf(message: Message): number {
  let bytes = 64;
  for (const part of [message.key, message.value]) if (part != null) bytes += Buffer.byteLength(part);
  for (const [k, v] of Object.entries(message.headers ?? {}))
    bytes += k.length + (typeof v === 'string' ? v.length : 16);
  return bytes;
}

/**
 * The dead letter of a refused message: its key (the raw id level, or null when the topic has none)
 * and its original bytes. A payload above `limits.maxBytes` keeps only its first `maxBytes` bytes, so
 * the record still fits in a Kafka batch; `twinfold.value.truncated` then says so.
 */
function deadLetterRecord(
  msg: InboundMessage,
  kind: DeviceKind | undefined,
  rawId: string | null,
  error: unknown,
  dlqTopic: string,
  limits: JsonLimits,
): UplinkRecord {
  const err = toTwinfoldError(error);
  const truncated = msg.payload.length > limits.maxBytes;
  // A copy, so the oversized original is not kept alive while the record waits to be written.
  const value = truncated ? Buffer.from(msg.payload.subarray(0, limits.maxBytes)) : msg.payload;
  const message = deadLetter({ component: 'bridge', topic: msg.topic }, rawId, value, err, msg.receivedAt);
  message.headers = { ...message.headers, ...mqttHeaders(msg) };
  if (truncated) {
    message.headers['twinfold.value.truncated'] = 'true';
    message.headers['twinfold.value.original_bytes'] = String(msg.payload.length);
  }
  return { topic: dlqTopic, message, kind, errorCode: err.code, bytes: sizeOf(message) };
}

/**
 * Turns one received MQTT message into the one Kafka record the bridge writes for it: keyed by the
 * device id to the kind's topic with the payload's original bytes, or, when the shared decoder
 * refuses it (topic, id, size, encoding, JSON, shape, a device id naming another device), a dead
 * letter of those bytes to `dlqTopic`. The processor runs the same decoder on the same bytes, so it
 * never refuses what the bridge let through. Never throws.
 */
export function toUplinkRecord(
  msg: InboundMessage,
  routes: readonly UplinkRoute[],
  dlqTopic: string,
  limits: JsonLimits,
): UplinkRecord {
  let route: UplinkRoute | undefined;
  let rawId: string | null = null;
  for (const r of routes) {
    rawId = r.template.idOf(msg.topic);
    if (rawId !== null) {
      route = r;
      break;
    }
  }
  if (!route || rawId === null || rawId === '') {
    const err = new TwinfoldError(
      'INVALID_ID',
      `no device id in MQTT topic ${JSON.stringify(msg.topic.slice(0, 200))}`,
    );
    return deadLetterRecord(msg, route?.kind, null, err, dlqTopic, limits);
  }
  try {
    const input = decodeInput(route.kind, rawId, msg.payload, msg.receivedAt, limits);
    const message: Message = {
      key: input.deviceId,
      value: msg.payload,
      timestamp: String(msg.receivedAt),
      headers: { ...mqttHeaders(msg), ...behaviourHeaders(msg, input) },
    };
    return { topic: route.kafkaTopic, message, kind: route.kind, bytes: sizeOf(message) };
  } catch (err) {
    return deadLetterRecord(msg, route.kind, rawId, err, dlqTopic, limits);
  }
}
