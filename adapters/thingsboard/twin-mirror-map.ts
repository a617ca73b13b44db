import { UNKNOWN_TWIN_TYPE } from '../../topology/twin/model';
import { isJsonObject, type JsonObject, type JsonValue } from '../../shared/json';
import { GATEWAY_TOPICS, type GatewayMessage } from './gateway-topics';

/** Which twin fields go where (from TB_TELEMETRY_FIELDS, TB_ATTRIBUTE_FIELDS, TB_DEVICE_TYPE). */
export interface FieldMapping {
  telemetryFields: ReadonlySet<string> | 'all';
  attributeFields: ReadonlySet<string>;
  deviceType: string;
}

/** What the adapter last told ThingsBoard about one device (see MirrorMemory). */
export interface MirroredDevice {
  /** The MQTT connection (epoch) on which v1/gateway/connect was last sent for it. */
  connectedEpoch: number;
  /** The ThingsBoard device type (profile) it was connected with. */
  type: string;
  /** Client-side attributes last sent, as JSON text per key. */
  attributes: Readonly<Record<string, string>>;
}

/** A twin document's field as it matters here: the value and, for reported fields, its time. */
interface TimedValue {
  ts: number;
  value: JsonValue;
}

/**
 * The gateway messages for one device.twins record of twin `id` (docs/contract.md "ThingsBoard"):
 * - `v1/gateway/connect` `{"device", "type"}` the first time the device is seen on this connection
 *   (`type`: the twin's type; TB_DEVICE_TYPE for a twin of unknown type);
 * - `v1/gateway/telemetry` `{"<id>": [{"ts", "values"}]}`: the telemetry fields changed in this
 *   version (their metadata carries it), grouped by their own reading time;
 * - `v1/gateway/attributes` `{"<id>": {...}}`: client-side attributes that differ from what was
 *   last sent: the attribute-mapped reported fields, the registry attributes, `connectionStatus`
 *   and `lifecycle`.
 * A tombstone (null document) gives `v1/gateway/disconnect` `{"device"}`. Returns the messages and
 * what to remember (undefined: forget the device). A document that is not a twin gives none.
 */
export function mirrorTwin(
  id: string,
  doc: JsonObject | null,
  mapping: FieldMapping,
  previous: MirroredDevice | undefined,
  epoch: number,
): { messages: GatewayMessage[]; remember: MirroredDevice | undefined } {
  if (doc === null) {
    const messages = previous ? [message(GATEWAY_TOPICS.disconnect, { device: id })] : [];
    return { messages, remember: undefined };
  }
  const version = doc.version;
  if (typeof version !== 'number') return { messages: [], remember: previous };
  const messages: GatewayMessage[] = [];
  const typed = typeof doc.type === 'string' && doc.type !== '' && doc.type !== UNKNOWN_TWIN_TYPE;
  const type = typed ? String(doc.type) : mapping.deviceType;
  if (previous?.connectedEpoch !== epoch || previous.type !== type) messages.push(connectMessage(id, type));
  const changed = changedReported(doc, version);
  const telemetry = changed.filter(([field]) => isTelemetry(field, mapping));
  if (telemetry.length > 0)
    messages.push(message(GATEWAY_TOPICS.telemetry, { [id]: groupByTime(telemetry) }));

  const current = clientAttributes(doc, mapping);
  const sent: Record<string, string> = { ...previous?.attributes };
  const delta: JsonObject = {};
  for (const [key, value] of Object.entries(current)) {
    const json = JSON.stringify(value);
    if (sent[key] === json) continue;
    sent[key] = json;
    delta[key] = value;
  }
  if (Object.keys(delta).length > 0) messages.push(message(GATEWAY_TOPICS.attributes, { [id]: delta }));
  return { messages, remember: { connectedEpoch: epoch, type, attributes: sent } };
}

/** `v1/gateway/connect` `{"device", "type"}`: ThingsBoard then routes the device's RPCs and updates here. */
export function connectMessage(id: string, type: string): GatewayMessage {
  return message(GATEWAY_TOPICS.connect, { device: id, type });
}

function message(topic: GatewayMessage['topic'], payload: JsonObject): GatewayMessage {
  return { topic, payload: JSON.stringify(payload) };
}

function isTelemetry(field: string, mapping: FieldMapping): boolean {
  if (mapping.attributeFields.has(field)) return false;
  return mapping.telemetryFields === 'all' || mapping.telemetryFields.has(field);
}

/** Reported fields whose metadata carries `version` (changed by it), with their reading times. */
function changedReported(doc: JsonObject, version: number): [string, TimedValue][] {
  const reported = doc.reported;
  const meta = isJsonObject(doc.metadata) ? doc.metadata.reported : undefined;
  if (!isJsonObject(reported) || !isJsonObject(meta)) return [];
  const out: [string, TimedValue][] = [];
  for (const [field, entry] of Object.entries(meta)) {
    if (!isJsonObject(entry) || entry.version !== version || !Object.hasOwn(reported, field)) continue;
    const value = reported[field];
    if (value === undefined || value === null) continue; // a deleted field: ThingsBoard keeps history
    const ts = typeof entry.timestamp === 'string' ? Date.parse(entry.timestamp) : NaN;
    if (Number.isFinite(ts)) out.push([field, { ts, value }]);
  }
  return out;
}

/** `[{"ts", "values"}]`, one entry per distinct reading time, oldest first. */
function groupByTime(fields: [string, TimedValue][]): JsonValue[] {
  const byTs = new Map<number, JsonObject>();
  for (const [field, { ts, value }] of fields) {
    const values = byTs.get(ts) ?? {};
    values[field] = value;
    byTs.set(ts, values);
  }
  return [...byTs.entries()].sort(([a], [b]) => a - b).map(([ts, values]) => ({ ts, values }));
}

/** The client-side attributes a twin has now. */
function clientAttributes(doc: JsonObject, mapping: FieldMapping): JsonObject {
  const out: JsonObject = {};
  if (isJsonObject(doc.attributes)) Object.assign(out, doc.attributes);
  const reported = isJsonObject(doc.reported) ? doc.reported : {};
  for (const field of mapping.attributeFields) {
    const value = Object.hasOwn(reported, field) ? reported[field] : undefined;
    if (value !== undefined && value !== null) out[field] = value;
  }
  const connection = isJsonObject(doc.connection) ? doc.connection.status : undefined;
  if (typeof connection === 'string') out.connectionStatus = connection;
  if (typeof doc.lifecycle === 'string') out.lifecycle = doc.lifecycle;
  return out;
}
