import { twinJsonOf } from '../shared/avro/twin-read';
import { isFramed } from '../shared/avro/wire';
import { isDeviceId } from '../shared/ids';
import { isJsonObject, type JsonObject } from '../shared/json';
import { parseJsonSafely, type JsonLimits } from '../shared/safe-json';
import type { TopicTemplate } from './topic-template';

/** The application-side MQTT topics of a twin (seed 001 section 9, docs/contract.md). */
export type TwinOutputKind = 'update' | 'event' | 'alert';

export interface TwinOutput {
  kind: TwinOutputKind;
  topic: string;
  payload: Buffer;
}

/** device.events types published on `twin/{id}/event`: lifecycle, connection, commands, rules. */
const EVENT_TYPES: ReadonlySet<string> = new Set([
  'twin.created',
  'twin.updated',
  'twin.deleted',
  'lifecycle.changed',
  'connected',
  'disconnected',
  'connection.unknown',
  'command.status',
  'rule.fired',
]);

/** device.events types published on `twin/{id}/alert`: computed alerts and device error reports. */
const ALERT_TYPES: ReadonlySet<string> = new Set(['alert.raised', 'alert.cleared', 'alert']);

/**
 * A device.events record as the MQTT message it becomes: the event itself, unchanged, on
 * `twin/{id}/event` or `twin/{id}/alert`; undefined for the other types (desired state and delta
 * reach the device on its own topics) and for records that are not an event of a valid id.
 */
export function eventOutput(
  key: Buffer | null,
  value: Buffer | null,
  templates: Record<TwinOutputKind, TopicTemplate>,
  limits: JsonLimits,
): TwinOutput | undefined {
  const id = key?.toString('utf8');
  if (!isDeviceId(id) || value === null) return undefined;
  const event = parseOrUndefined(value, limits);
  const type = event?.type;
  if (typeof type !== 'string') return undefined;
  const kind = ALERT_TYPES.has(type) ? 'alert' : EVENT_TYPES.has(type) ? 'event' : undefined;
  return kind && { kind, topic: templates[kind].format(id), payload: value };
}

/**
 * A device.twins record as `twin/{id}/update`: the reported and desired fields that changed in
 * this version (their metadata carries the document's version), with the version and time. A
 * version that changed no such field (connection, commands, traits), a tombstone, or a record that
 * is not a twin document gives nothing.
 */
export function updateOutput(
  key: Buffer | null,
  value: Buffer | null,
  template: TopicTemplate,
  limits: JsonLimits,
): TwinOutput | undefined {
  const id = key?.toString('utf8');
  if (!isDeviceId(id) || value === null) return undefined;
  const doc = isFramed(value) ? twinJsonOf(value) : parseOrUndefined(value, limits);
  if (!doc || typeof doc.version !== 'number' || !isJsonObject(doc.metadata)) return undefined;
  const reported = changedFields(doc.reported, doc.metadata.reported, doc.version);
  const desired = changedFields(doc.desired, doc.metadata.desired, doc.version);
  if (reported === undefined && desired === undefined) return undefined;
  const update: JsonObject = { id, version: doc.version, timestamp: doc.updatedAt ?? null };
  if (reported) update.reported = reported;
  if (desired) update.desired = desired;
  return { kind: 'update', topic: template.format(id), payload: Buffer.from(JSON.stringify(update)) };
}

function changedFields(values: unknown, meta: unknown, version: number): JsonObject | undefined {
  if (!isJsonObject(values) || !isJsonObject(meta)) return undefined;
  const changed: JsonObject = {};
  let any = false;
  for (const [field, entry] of Object.entries(meta)) {
    if (!isJsonObject(entry) || entry.version !== version || !Object.hasOwn(values, field)) continue;
    changed[field] = values[field] ?? null;
    any = true;
  }
  return any ? changed : undefined;
}

function parseOrUndefined(value: Buffer, limits: JsonLimits): JsonObject | undefined {
  try {
    const parsed = parseJsonSafely(value, limits);
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
