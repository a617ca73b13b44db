import { TwinfoldError } from '../errors';

/** The Confluent wire format's first byte. No JSON text and no status word starts with it. */
export const MAGIC_BYTE = 0;
/** Magic byte and the 4-byte big-endian schema id. */
export const HEADER_BYTES = 5;

/** The Confluent wire format: magic byte 0, the schema id (4 bytes, big-endian), the Avro body. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, HEADER_BYTES);
  return out;
}

/** Whether a record value is in the Confluent wire format (recognised by its magic byte). */
export function isFramed(value: Buffer | null): boolean {
  return value !== null && value.length > 0 && value[0] === MAGIC_BYTE;
}

/** The schema id of a framed value; MALFORMED_AVRO when the header itself is cut short. */
export function schemaIdOf(value: Buffer): number {
  if (value.length < HEADER_BYTES)
    throw new TwinfoldError(
      'MALFORMED_AVRO',
      `Avro record of ${value.length} bytes has no complete schema id`,
    );
  return value.readUInt32BE(1);
}
