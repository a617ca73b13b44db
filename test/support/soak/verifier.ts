import { versionProblems } from '../workload';

/**
 * The soak's end-to-end check, as pure data in and problems out (unit-tested in
 * test/unit/soak/verifier.test.ts). Every simulated device publishes its sequence numbers in
 * order, with its own clock as `timestamp`, on one connection; the twin reports the last one
 * (`reported.seq`, last-writer-wins by the device's clock).
 *
 * The bridge is at-least-once from MQTT to Kafka: after a SIGKILL the broker redelivers what it
 * had sent the bridge and not yet got a PUBACK for, and some of it was already in Kafka. Such a
 * copy is older than what the twin holds (or equal to it), so it changes no reported value; its
 * fold still moves `lastSeen`, a new version whose `reported.seq` repeats the previous one. The
 * verifier counts those and demands exactly as many as device.telemetry holds extra copies: any
 * other repeated seq is a record folded twice (a zombie's write made visible).
 */
export interface SoakObservations {
  /** Per device, every seq the MQTT broker PUBACKed to the device. */
  acked: ReadonlyMap<string, ReadonlySet<number>>;
  /** Per device, the seq of each device.telemetry record (read_committed), in log order. */
  telemetry: ReadonlyMap<string, readonly number[]>;
  /** Per twin, each device.twins record (read_committed) in log order. */
  published: ReadonlyMap<string, readonly PublishedVersion[]>;
}

/** One device.twins record: its version (0 for a tombstone) and the `reported.seq` it shows. */
export interface PublishedVersion {
  version: number;
  seq: number | undefined;
}

export interface SeqVerdict {
  problems: string[];
  acked: number;
  /** Distinct acknowledged seqs found in device.telemetry. */
  inKafka: number;
  /** Extra copies in device.telemetry (bridge redeliveries). */
  redelivered: number;
  /** Seqs that became the twin's reported seq (each exactly once when all is well). */
  folded: number;
  /** Versions repeating the previous seq: folds of a redelivered copy. */
  refolds: number;
}

/** Folds of one twin: the seqs it took on, in order, and how many versions repeated a seq. */
function foldsOf(id: string, versions: readonly PublishedVersion[], problems: string[]) {
  const fresh: number[] = [];
  let refolds = 0;
  let previous: number | undefined;
  for (const { version, seq } of versions) {
    if (version === 0) continue; // a tombstone (the soak deletes nothing; versionProblems judges it)
    if (seq === undefined) problems.push(`${id}: version ${version} reports no seq`);
    else if (seq === previous) refolds++;
    else if (previous !== undefined && seq < previous)
      problems.push(`${id}: version ${version} reports seq ${seq} after ${previous}`);
    else fresh.push(seq);
    if (seq !== undefined) previous = seq;
  }
  return { fresh, refolds };
}

export function verifySeqs({ acked, telemetry, published }: SoakObservations): SeqVerdict {
  const problems: string[] = [];
  const verdict = { acked: 0, inKafka: 0, redelivered: 0, folded: 0, refolds: 0 };
  const ids = [...new Set([...acked.keys(), ...telemetry.keys(), ...published.keys()])].sort();
  const versions = new Map<string, number[]>();
  for (const id of ids) {
    const sent = acked.get(id) ?? new Set<number>();
    const records = telemetry.get(id) ?? [];
    const inKafka = new Set(records);
    const { fresh, refolds } = foldsOf(id, published.get(id) ?? [], problems);
    versions.set(
      id,
      (published.get(id) ?? []).map((v) => v.version),
    );
    const timesFolded = new Map<number, number>();
    for (const s of fresh) timesFolded.set(s, (timesFolded.get(s) ?? 0) + 1);
    for (const s of [...sent].sort((a, b) => a - b)) {
      if (!inKafka.has(s)) problems.push(`${id}: acknowledged seq ${s} never reached device.telemetry`);
      const n = timesFolded.get(s) ?? 0;
      if (n !== 1) problems.push(`${id}: acknowledged seq ${s} folded ${n} times`);
    }
    const redelivered = records.length - inKafka.size;
    if (refolds !== redelivered)
      problems.push(
        `${id}: ${refolds} versions repeat a seq, but device.telemetry holds ${redelivered} redelivered copies`,
      );
    verdict.acked += sent.size;
    verdict.inKafka += [...sent].filter((s) => inKafka.has(s)).length;
    verdict.redelivered += redelivered;
    verdict.folded += timesFolded.size;
    verdict.refolds += refolds;
  }
  problems.push(...versionProblems(versions).map((p) => `device.twins ${p}`));
  return { problems, ...verdict };
}
