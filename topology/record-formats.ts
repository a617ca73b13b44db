import { AvroInputDecoder } from '../shared/avro/input-decoder';
import { SchemaRegistryClient } from '../shared/avro/registry-client';
import { TWIN_SCHEMA } from '../shared/avro/twin-schema';
import type { Config } from '../shared/config';
import { toTwinfoldError } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { avroTwinEncoder, JSON_TWIN_ENCODER, type TwinEncoder } from './twin-encoder';

/** How the processor reads Avro inputs and writes `device.twins` (JSON unless configured). */
export interface RecordFormats {
  readonly twins: TwinEncoder;
  /** Present when SCHEMA_REGISTRY_URL is set: input records with the magic byte are Avro. */
  readonly inputs: AvroInputDecoder | undefined;
}

export const JSON_FORMATS: RecordFormats = { twins: JSON_TWIN_ENCODER, inputs: undefined };

/** The twin schema's subject: Confluent's TopicNameStrategy. */
export function twinSubject(twinsTopic: string): string {
  return `${twinsTopic}-value`;
}

/**
 * The formats of `config`. With TWINS_FORMAT=avro, sets the subject's compatibility to BACKWARD and
 * registers the twin schema under `<device.twins>-value` (the registry refuses a schema that breaks
 * BACKWARD compatibility with the registered one: the service then does not start), retrying while
 * the registry is unreachable, for `waitMs` at most.
 */
export async function recordFormats(
  config: Pick<
    Config,
    'twinsFormat' | 'schemaRegistryUrl' | 'schemaRegistryUsername' | 'schemaRegistryPassword'
  >,
  twinsTopic: string,
  logger: Logger,
  waitMs = 60000,
): Promise<RecordFormats> {
  const url = config.schemaRegistryUrl;
  if (url === undefined) return JSON_FORMATS;
  const client = new SchemaRegistryClient({
    url,
    ...(config.schemaRegistryUsername === undefined ? {} : { username: config.schemaRegistryUsername }),
    ...(config.schemaRegistryPassword === undefined ? {} : { password: config.schemaRegistryPassword }),
  });
  const inputs = new AvroInputDecoder(client);
  if (config.twinsFormat !== 'avro') return { twins: JSON_TWIN_ENCODER, inputs };
  const subject = twinSubject(twinsTopic);
  const began = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await client.setCompatibility(subject, 'BACKWARD');
      const id = await client.register(subject, JSON.stringify(TWIN_SCHEMA));
      logger.info('twin schema registered', { subject, schemaId: id, registry: url });
      return { twins: avroTwinEncoder(id), inputs };
    } catch (err) {
      const error = toTwinfoldError(err);
      if (!error.retriable || Date.now() - began > waitMs) throw error;
      logger.warn('schema registry not ready; retrying', { attempt, error: error.message });
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}
