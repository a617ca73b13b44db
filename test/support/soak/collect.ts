import type { TwinDocument } from '../../../topology/twin';
import { readAll, type ConsumedRecord } from '../kafka';
import type { FleetPayload } from '../mqtt-fleet';
import {
  differingIds,
  expectIndependentAgreement,
  referenceDocuments,
  referenceFold,
  type Round,
} from '../workload';
import type { PublishedVersion, SoakObservations } from './verifier';

/** What the end of a soak reads back from Kafka (read_committed), for the verifier. */
export interface Collected {
  telemetry: Map<string, number[]>;
  published: Map<string, PublishedVersion[]>;
  latest: Map<string, TwinDocument | null>;
  /** device.telemetry as the processor's input, for the reference fold. */
  rounds: Round[];
}

const seqOf = (value: Buffer | null): number => (JSON.parse(value!.toString('utf8')) as FleetPayload).seq;

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export async function collect(
  topics: { telemetry: string; twins: string },
  brokers: string[],
): Promise<Collected> {
  const inputs: ConsumedRecord[] = await readAll([topics.telemetry], { brokers });
  const telemetry = new Map<string, number[]>();
  for (const r of inputs) push(telemetry, r.key!, seqOf(r.value));
  const published = new Map<string, PublishedVersion[]>();
  const latest = new Map<string, TwinDocument | null>();
  for (const r of await readAll([topics.twins], { brokers })) {
    const doc = r.value ? (JSON.parse(r.value.toString('utf8')) as TwinDocument) : null;
    const seq = doc?.reported['seq'];
    push(published, r.key!, { version: doc?.version ?? 0, seq: typeof seq === 'number' ? seq : undefined });
    latest.set(r.key!, doc);
  }
  // The inputs are LogAppendTime topics: a record's timestamp is the time the processor folds it at.
  const records = inputs.map((r) => ({
    kind: 'telemetry' as const,
    key: r.key!,
    value: r.value!.toString('utf8'),
    timestampMs: Number(r.timestamp),
  }));
  return { telemetry, published, latest, rounds: [{ kind: 'telemetry', records }] };
}

/** The acknowledged seqs per device, from the fleet's `device:seq` keys. */
export function ackedByDevice(keys: Iterable<string>): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  for (const key of keys) {
    const cut = key.lastIndexOf(':');
    const id = key.slice(0, cut);
    const set = out.get(id) ?? new Set<number>();
    set.add(Number(key.slice(cut + 1)));
    out.set(id, set);
  }
  return out;
}

export function observations(acked: Iterable<string>, c: Collected): SoakObservations {
  return { acked: ackedByDevice(acked), telemetry: c.telemetry, published: c.published };
}

/**
 * Every twin in device.twins (and, when given, in an instance's stores as the API lists them)
 * equals the reference fold of device.telemetry, and agrees with the independent model.
 */
export function referenceProblems(c: Collected, listed?: Map<string, TwinDocument>): string[] {
  const expected = referenceDocuments(referenceFold(c.rounds));
  const problems: string[] = [];
  const sides: [string, Map<string, TwinDocument | null>][] = [['device.twins', c.latest]];
  if (listed) sides.push(['the stores', listed]);
  for (const [what, actual] of sides) {
    const differing = differingIds(actual, expected);
    if (differing.length > 0) {
      const id = differing[0]!;
      problems.push(
        `${what} differs from the reference fold for ${differing.length} twins; first ${id}:\n` +
          `actual   ${JSON.stringify(actual.get(id))}\nexpected ${JSON.stringify(expected.get(id))}`,
      );
    }
    try {
      expectIndependentAgreement(what, actual, c.rounds);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  return problems;
}
