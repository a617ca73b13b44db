import { Type, types, type Schema } from 'avsc';
import { TwinfoldError } from '../errors';
import type { SchemaRegistryClient } from './registry-client';
import { HEADER_BYTES, isFramed, schemaIdOf } from './wire';

/** How long an id the registry did not know stays unknown before it is asked again. */
const UNKNOWN_RETRY_MS = 30000;

/**
 * Avro input records (Confluent wire format, recognised by the magic byte) as the JSON text the
 * one input decoder (shared/inputs) validates. Two steps, so the fold stays synchronous:
 * `prepare` fetches the schemas of a batch's ids from the registry (cached for good: an id's
 * schema never changes), then `toJson` decodes each record with its cached schema.
 * Records: JSON objects; maps: objects; enums: strings; bytes and fixed: base64 strings; a union
 * that avsc cannot unwrap unambiguously appears as `{"<branch>": value}`.
 */
export class AvroInputDecoder {
  private readonly types = new Map<number, Type>();
  /** Ids without a usable schema (404, or not Avro): why, and until when before asking again. */
  private readonly refused = new Map<number, { reason: string; untilMs: number }>();

  constructor(
    private readonly registry: Pick<SchemaRegistryClient, 'schemaById'>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Fetches the schemas of the framed values not cached yet. A registry error (not a 404) throws
   * UPSTREAM_ERROR: the batch is retried, nothing is dead-lettered because the registry was away.
   */
  async prepare(values: Iterable<Buffer | null>): Promise<void> {
    const wanted = new Set<number>();
    for (const v of values) {
      if (v === null || !isFramed(v) || v.length < HEADER_BYTES) continue;
      const id = schemaIdOf(v);
      if (!this.types.has(id) && (this.refused.get(id)?.untilMs ?? 0) <= this.now()) wanted.add(id);
    }
    for (const id of wanted) {
      const schema = await this.registry.schemaById(id);
      const untilMs = this.now() + UNKNOWN_RETRY_MS;
      if (schema === undefined) {
        this.refused.set(id, { reason: 'the schema registry does not know it', untilMs });
        continue;
      }
      try {
        // forSchema checks the parsed JSON: anything but a valid Avro schema throws.
        const type = Type.forSchema(JSON.parse(schema) as Schema);
        if (hasArrayOfEmptyItems(type, new Set())) {
          const reason = 'its arrays can hold items of no bytes (a few bytes could decode to any size)';
          this.refused.set(id, { reason, untilMs });
          continue;
        }
        this.types.set(id, type);
        this.refused.delete(id);
      } catch (err) {
        this.refused.set(id, { reason: `it is not an Avro schema (${(err as Error).message})`, untilMs });
      }
    }
  }

  /**
   * The value as JSON text when it is Avro (`prepare` must have seen it), else the value itself.
   * Throws UNKNOWN_SCHEMA for an id the registry does not know, MALFORMED_AVRO for a body that
   * does not decode with its schema (truncated, or bytes left over).
   */
  toJson(value: Buffer | null): Buffer | null {
    if (value === null || !isFramed(value)) return value;
    const id = schemaIdOf(value);
    const type = this.types.get(id);
    if (type === undefined) {
      const reason = this.refused.get(id)?.reason ?? 'the schema registry does not know it';
      throw new TwinfoldError('UNKNOWN_SCHEMA', `Avro record names schema id ${id}: ${reason}`);
    }
    let decoded: { value: unknown; offset: number };
    try {
      decoded = type.decode(value, HEADER_BYTES);
    } catch (err) {
      throw new TwinfoldError(
        'MALFORMED_AVRO',
        `Avro body does not decode with schema ${id}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (decoded.offset < 0)
      throw new TwinfoldError('MALFORMED_AVRO', `Avro body is truncated for schema ${id}`);
    if (decoded.offset !== value.length)
      throw new TwinfoldError(
        'MALFORMED_AVRO',
        `Avro body has ${value.length - decoded.offset} bytes beyond schema ${id}'s record`,
      );
    return Buffer.from(JSON.stringify(decoded.value, bytesAsBase64));
  }
}

/** JSON.stringify replacer: Avro bytes and fixed (Buffers) as base64 text. */
function bytesAsBase64(this: unknown, key: string, value: unknown): unknown {
  const original: unknown = typeof this === 'object' && this !== null ? Reflect.get(this, key) : undefined;
  return Buffer.isBuffer(original) ? original.toString('base64') : value;
}

/**
 * Whether `type` holds an array whose items can be encoded in no bytes (null, an empty fixed, a
 * record of such fields): its block count alone, a few bytes, would make the decoder allocate
 * billions of items. Every other item takes at least one byte, so the record's size bounds it.
 */
function hasArrayOfEmptyItems(type: Type, seen: Set<Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if (type instanceof types.ArrayType)
    return takesNoBytes(type.itemsType, new Set()) || hasArrayOfEmptyItems(type.itemsType, seen);
  return children(type).some((t) => hasArrayOfEmptyItems(t, seen));
}

function takesNoBytes(type: Type, seen: Set<Type>): boolean {
  if (type instanceof types.NullType) return true;
  if (type instanceof types.FixedType) return type.size === 0;
  if (type instanceof types.LogicalType) return takesNoBytes(type.underlyingType, seen);
  if (!(type instanceof types.RecordType) || seen.has(type)) return false;
  seen.add(type);
  return type.fields.every((f) => takesNoBytes(f.type, seen));
}

function children(type: Type): Type[] {
  if (type instanceof types.RecordType) return type.fields.map((f) => f.type);
  if (type instanceof types.MapType) return [type.valuesType as Type];
  if (type instanceof types.UnwrappedUnionType || type instanceof types.WrappedUnionType) return type.types;
  if (type instanceof types.LogicalType) return [type.underlyingType];
  return [];
}
