import type { Admin, Kafka } from 'kafkajs';
import { sleep } from './support/ports';
import { endTotal, TopicFeed, type FedRecord } from './support/kafka';

/** Records in each topic's log (sum of its partitions' end offsets). */
export type LogEnds = Map<string, number>;

export async function logEnds(admin: Admin, topics: string[]): Promise<LogEnds> {
  const ends: LogEnds = new Map();
  for (const topic of topics) ends.set(topic, await endTotal(admin, [topic]));
  return ends;
}

/** What a fold wrote per input record: log records (commit markers included) and bytes. */
export interface Writes {
  recordsPerInput: number;
  bytesPerInput: number;
  /** `topic: records` for the printed note. */
  detail: string;
}

const SAMPLE = 500;

function sizeOf(r: FedRecord): number {
  let bytes = Buffer.byteLength(r.key) + (r.value?.length ?? 0);
  for (const [k, v] of Object.entries(r.headers)) bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  return bytes;
}

/** Mean key + value + headers bytes of the first committed records of `topic` (up to SAMPLE). */
async function meanRecordBytes(kafka: Kafka, topic: string): Promise<number> {
  const feed = new TopicFeed(kafka, topic);
  const sizes: number[] = [];
  feed.listen((r) => {
    if (sizes.length < SAMPLE) sizes.push(sizeOf(r));
  });
  await feed.start();
  for (let i = 0; i < 100 && sizes.length < SAMPLE; i++) await sleep(100);
  await feed.stop();
  return sizes.length === 0 ? 0 : sizes.reduce((a, b) => a + b, 0) / sizes.length;
}

/**
 * The growth of `topics` since `before` (a topic missing there started empty), per input record:
 * records from the end offsets, bytes from those counts times each topic's sampled mean record size.
 */
export async function writesSince(
  kafka: Kafka,
  admin: Admin,
  before: LogEnds,
  topics: string[],
  inputs: number,
): Promise<Writes> {
  const after = await logEnds(admin, topics);
  let records = 0;
  let bytes = 0;
  const detail: string[] = [];
  for (const [topic, end] of after) {
    const grown = end - (before.get(topic) ?? 0);
    if (grown <= 0) continue;
    records += grown;
    bytes += grown * (await meanRecordBytes(kafka, topic));
    detail.push(
      `${topic.endsWith('-changelog') ? 'changelog' : topic.slice(topic.lastIndexOf('.') + 1)} ${grown}`,
    );
  }
  return { recordsPerInput: records / inputs, bytesPerInput: bytes / inputs, detail: detail.join(', ') };
}
