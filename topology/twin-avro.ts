import { JSON_BRANCH } from '../shared/avro/twin-schema';
import type { JsonObject, JsonValue } from '../shared/json';
import type { PublicFieldMeta, TwinDocument } from './twin';

/** A `Value` union member as avsc writes it (the union is ambiguous, so every branch is wrapped). */
export type AvroValue =
  | null
  | { boolean: boolean }
  | { long: number }
  | { double: number }
  | { string: string }
  | { [JSON_BRANCH]: { json: string } };

/** One JSON value as the typed `Value` union: integers as long, other numbers as double. */
export function avroValue(value: JsonValue): AvroValue {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
      return { boolean: value };
    case 'number':
      return Number.isSafeInteger(value) ? { long: value } : { double: value };
    case 'string':
      return { string: value };
    default:
      return { [JSON_BRANCH]: { json: JSON.stringify(value) } };
  }
}

function avroMap(obj: JsonObject): Record<string, AvroValue> {
  const out: Record<string, AvroValue> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = avroValue(v);
  return out;
}

function avroMeta(meta: Record<string, PublicFieldMeta>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [k, m] of Object.entries(meta))
    out[k] = {
      timestamp: m.timestamp,
      version: m.version,
      unit: m.unit ?? null,
      clock: m.clock ?? null,
      deviceTimestamp: m.deviceTimestamp ?? null,
    };
  return out;
}

/** The twin document as a value of TWIN_SCHEMA (shared/avro/twin-schema.ts). */
export function toAvroTwin(doc: TwinDocument): Record<string, unknown> {
  return {
    id: doc.id,
    type: doc.type,
    lifecycle: doc.lifecycle,
    connection: doc.connection,
    reported: avroMap(doc.reported),
    desired: avroMap(doc.desired),
    delta: avroMap(doc.delta),
    metadata: { reported: avroMeta(doc.metadata.reported), desired: avroMeta(doc.metadata.desired) },
    attributes: avroMap(doc.attributes),
    version: doc.version,
    commands: doc.commands,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    traits: doc.traits === undefined ? null : JSON.stringify(doc.traits),
  };
}
