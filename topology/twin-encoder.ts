import { frame } from '../shared/avro/wire';
import { TWIN_TYPE } from '../shared/avro/twin-schema';
import type { TwinDocument } from './twin';
import { toAvroTwin } from './twin-avro';

/** How a twin document becomes the value of a `device.twins` record (TWINS_FORMAT). */
export interface TwinEncoder {
  readonly format: 'json' | 'avro';
  encode(doc: TwinDocument): Buffer;
}

/** The default: the document as one line of UTF-8 JSON. */
export const JSON_TWIN_ENCODER: TwinEncoder = {
  format: 'json',
  encode: (doc) => Buffer.from(JSON.stringify(doc)),
};

/** Avro in the Confluent wire format under `schemaId`, the id the registry gave TWIN_SCHEMA. */
export function avroTwinEncoder(schemaId: number): TwinEncoder {
  return { format: 'avro', encode: (doc) => frame(schemaId, TWIN_TYPE.toBuffer(toAvroTwin(doc))) };
}
