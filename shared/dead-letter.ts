import type { Message } from 'kafkajs';
import { toTwinfoldError } from './errors';

/** Where a rejected record came from; the docs/contract.md device.dlq headers. */
export interface DeadLetterSource {
  component: 'bridge' | 'processor' | 'api' | 'thingsboard' | 'hono-adapter';
  /** Kafka topic, or the MQTT topic for records the bridge refused. */
  topic: string;
  partition?: number;
  offset?: string;
}

const MAX_REASON = 1024;

/**
 * The device.dlq record for a rejected input: the original key and bytes, untouched, and the reason
 * in headers. The key is kept even when it is not a valid device id, so the record stays findable.
 */
export function deadLetter(
  source: DeadLetterSource,
  key: Buffer | string | null,
  value: Buffer | string | null,
  error: unknown,
  timestampMs: number,
): Message {
  const err = toTwinfoldError(error);
  return {
    key,
    value,
    timestamp: String(timestampMs),
    headers: {
      'twinfold.source.topic': source.topic,
      'twinfold.source.partition': source.partition === undefined ? '' : String(source.partition),
      'twinfold.source.offset': source.offset ?? '',
      'twinfold.error.code': err.code,
      'twinfold.error.message': err.message.slice(0, MAX_REASON),
      'twinfold.component': source.component,
    },
  };
}
