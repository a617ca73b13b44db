import type { Kafka } from 'kafkajs';
import { kafkaBehaviourRows } from '../../api/datasets/kafka-behaviour-rows';
import { createLogger } from '../../shared/logger';
import type { DatasetRow } from './rows';

/**
 * Every behaviour.window event on `topic` up to its end as of now (read committed), as dataset
 * rows, with the reader `GET /datasets/behaviour` uses. The stop rule is the topic's end offsets,
 * not a quiet period: call it once the service has committed all its input, and nothing it will
 * write for that input is missing.
 */
export async function readWindowRows(kafka: Kafka, topic: string): Promise<DatasetRow[]> {
  const source = kafkaBehaviourRows({
    kafka,
    topic,
    groupPrefix: 'dataset-reader',
    leadMs: 0,
    logger: createLogger({ component: 'dataset' }),
  });
  const rows: DatasetRow[] = [];
  for await (const row of source.rows({ startMs: 0, endMs: Number.POSITIVE_INFINITY })) rows.push(row);
  return rows;
}
