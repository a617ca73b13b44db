import { partitionForKey } from '../../shared/partitioner';

/** A record to write, in the form both clients take (explicit partition: no partitioner differs). */
export interface OutRecord {
  topic: string;
  partition: number;
  key: Buffer;
  value: Buffer;
  headers: Record<string, Buffer>;
}

/** A consumed input record, as the transform sees it. */
export interface InRecord {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** The topics the fold-like outputs go to. */
export interface OutputTopics {
  changelog: string;
  twins: string;
  events: string;
}

/** Sizes of the fold's writes per input (bench/kstreams-writes measured ~1.26 kB, 2.5 records). */
const CHANGELOG_BYTES = 400;
const DOCUMENT_BYTES = 609;
const EVENT_BYTES = 250;
const filler = (n: number): Buffer => Buffer.from('{"v":"' + 'x'.repeat(n - 8) + '"}');
const CHANGELOG = filler(CHANGELOG_BYTES);
const DOCUMENT = filler(DOCUMENT_BYTES);
const EVENT = filler(EVENT_BYTES);
const JSON_TYPE = Buffer.from('application/json');

function copy(template: Buffer): Buffer {
  const out = Buffer.allocUnsafe(template.length);
  template.copy(out);
  return out;
}

/**
 * What the fold writes for `inputs`, sized like it: per input a changelog record and a twin
 * document, and an event for every second input, all keyed by the device id on the input's
 * partition (co-partitioned, as twinfold's outputs are). Fresh buffers, as a real fold makes.
 */
export function foldOutputs(inputs: readonly InRecord[], topics: OutputTopics): OutRecord[] {
  const out: OutRecord[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const { partition, key } = inputs[i]!;
    const k = key ?? Buffer.alloc(0);
    out.push({ topic: topics.changelog, partition, key: k, value: copy(CHANGELOG), headers: {} });
    out.push({
      topic: topics.twins,
      partition,
      key: k,
      value: copy(DOCUMENT),
      headers: { 'content-type': JSON_TYPE },
    });
    if (i % 2 === 1) out.push({ topic: topics.events, partition, key: k, value: copy(EVENT), headers: {} });
  }
  return out;
}

/**
 * The produce benchmark's sends: the outputs of `inputs` synthetic device records over `devices`
 * devices (partitioned as twinfold partitions keys), `perSend` inputs' outputs per send.
 */
export function produceBatches(
  inputs: number,
  devices: number,
  partitions: number,
  perSend: number,
  topics: OutputTopics,
): OutRecord[][] {
  const batches: OutRecord[][] = [];
  for (let from = 0; from < inputs; from += perSend) {
    const chunk: InRecord[] = [];
    for (let i = from; i < Math.min(inputs, from + perSend); i++) {
      const id = `pk-${i % devices}`;
      chunk.push({ partition: partitionForKey(id, partitions), key: Buffer.from(id), value: null });
    }
    batches.push(foldOutputs(chunk, topics));
  }
  return batches;
}

/** Bytes of key, value and headers of `records`. */
export function recordBytes(records: readonly OutRecord[]): number {
  let sum = 0;
  for (const r of records) {
    sum += r.key.length + r.value.length;
    for (const [k, v] of Object.entries(r.headers)) sum += k.length + v.length;
  }
  return sum;
}
