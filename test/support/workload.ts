import type { Message } from 'kafkajs';
import { DEFAULT_JSON_LIMITS } from '../../shared/safe-json';
import { topicNames, type InputKind } from '../../shared/topics';
import {
  decodeInput,
  foldTwin,
  toTwinDocument,
  type FoldConfig,
  type StoredTwin,
  type TwinDocument,
  type TwinState,
} from '../../topology/twin';
import { independentProblems, independentTwins } from './independent-reference';
import { produce, readAll, testKafka } from './kafka';
import { seededRandom } from '../../scripts/simulator/random';
import { waitFor } from './wait';

/**
 * One generated input record. `timestampMs` is the time it is produced with; `runRounds` replaces
 * it with the time the broker stored (the inputs are LogAppendTime topics), the one the processor
 * folds it at.
 */
export interface WorkloadRecord {
  kind: InputKind;
  key: string;
  value: string;
  timestampMs: number;
}

/** Records of one input topic, produced together; rounds run one after another. */
export interface Round {
  kind: InputKind;
  records: WorkloadRecord[];
}

/** Long enough that no wall-clock timer fires during a test: the reference fold has no timers. */
export const QUIET_TIMERS = {
  OFFLINE_AFTER_MS: String(24 * 3600 * 1000),
  COMMAND_TTL_MS: String(24 * 3600 * 1000),
};
export const FOLD_CONFIG: FoldConfig = {
  offlineAfterMs: 24 * 3600 * 1000,
  defaultCommandTtlMs: 24 * 3600 * 1000,
  maxCommandRetries: 3,
  maxCommandHistory: 50,
  downlinkLimits: DEFAULT_JSON_LIMITS,
};

const TOPIC_OF: Record<InputKind, keyof ReturnType<typeof topicNames>> = {
  telemetry: 'telemetry',
  state: 'state',
  status: 'status',
  ack: 'acks',
  error: 'errors',
  desired: 'desired',
  command: 'commands',
  registry: 'registry',
};

export function topicOf(prefix: string, kind: InputKind): string {
  return topicNames({ topicPrefix: prefix })[TOPIC_OF[kind]];
}

/**
 * A mixed workload over `devices` devices: mostly telemetry (some out of order, some from an
 * untrusted device clock, some deleting a field with null), state snapshots with device versions
 * (some stale), status flips, desired patches (some with an impossible ifVersion), commands and
 * acks (some for unknown commands), errors, registry operations, desired patches and commands for
 * twins that never exist, and a sprinkling of malformed records that must go to the dead-letter
 * topic.
 */
export function generateWorkload(options: {
  seed: number;
  devices: number;
  records: number;
  idPrefix: string;
}): Round[] {
  const rnd = seededRandom(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const ids = Array.from({ length: options.devices }, (_, i) => `${options.idPrefix}${i}`);
  const base = Date.now() - 60_000;
  let clock = 0;
  const at = (): number => base + (clock += 1);
  const commandIds: string[] = [];
  const plan: [InputKind, number][] = [
    ['telemetry', 0.25],
    ['status', 0.04],
    ['desired', 0.08],
    ['command', 0.05],
    ['telemetry', 0.15],
    ['state', 0.08],
    ['ack', 0.05],
    ['registry', 0.02],
    ['telemetry', 0.15],
    ['error', 0.01],
    ['desired', 0.04],
    ['status', 0.03],
    ['telemetry', 0.05],
  ];
  return plan.map(([kind, share]) => {
    const records: WorkloadRecord[] = [];
    const count = Math.round(options.records * share);
    for (let i = 0; i < count; i++) {
      // A few desired patches and commands name twins that never exist: they must be ignored.
      const toNobody = (kind === 'desired' || kind === 'command') && rnd() < 0.02;
      const key = toNobody ? `${options.idPrefix}ghost${Math.floor(rnd() * 3)}` : pick(ids);
      const t = at();
      const value =
        rnd() < 0.003 ? pick(['{not json', '[]', '"text"', '{"data": 5}']) : payload(kind, key, t);
      records.push({ kind, key: rnd() < 0.001 ? 'bad/id' : key, value, timestampMs: t });
    }
    return { kind, records };

    function payload(k: InputKind, id: string, t: number): string {
      switch (k) {
        case 'telemetry': {
          // Some readings are late; a few come from a clock an hour ahead or never set (1970):
          // those are not trusted and are folded at the broker's time.
          const drift = rnd();
          const when = drift < 0.1 ? t - 30_000 : drift < 0.103 ? t + 3_600_000 : drift < 0.106 ? 5_000 : t;
          const data: Record<string, unknown> = {
            temperature: Math.round(rnd() * 400) / 10,
            humidity: Math.floor(rnd() * 100),
          };
          if (rnd() < 0.3) data[`f${Math.floor(rnd() * 5)}`] = rnd() < 0.2 ? null : Math.floor(rnd() * 10);
          return rnd() < 0.5
            ? JSON.stringify({ timestamp: new Date(when).toISOString(), data })
            : JSON.stringify({ ...data, timestamp: when });
        }
        case 'state':
          return JSON.stringify({
            version: Math.floor(rnd() * 50),
            reported: { mode: pick(['eco', 'boost', 'off']), firmware: `1.${Math.floor(rnd() * 9)}` },
          });
        case 'status':
          return rnd() < 0.5
            ? pick(['online', 'offline'])
            : JSON.stringify({ status: pick(['online', 'offline']) });
        case 'desired': {
          const patch: Record<string, unknown> = {
            [pick(['interval', 'mode', 'threshold'])]: rnd() < 0.15 ? null : Math.floor(rnd() * 100),
          };
          // ifVersion is always impossible (a live twin's version is at least 1, and no twin gets
          // near a billion changes) so the independent reference can decide it without versions.
          return JSON.stringify(rnd() < 0.1 ? { patch, ifVersion: pick([0, 1_000_000_000]) } : { patch });
        }
        case 'command': {
          const commandId = `c-${id}-${t}`;
          commandIds.push(commandId);
          return JSON.stringify({
            command_id: commandId,
            action: pick(['reboot', 'calibrate', 'ping']),
            parameters: { n: Math.floor(rnd() * 3) },
            priority: Math.floor(rnd() * 3),
          });
        }
        case 'ack': {
          const known = commandIds.filter((c) => c.startsWith(`c-${id}-`));
          const commandId = known.length > 0 && rnd() < 0.8 ? pick(known) : `c-unknown-${t}`;
          return JSON.stringify({
            command_id: commandId,
            status: rnd() < 0.7 ? 'success' : 'failed',
            result: { ok: rnd() < 0.5 },
          });
        }
        case 'error':
          return JSON.stringify({ error_code: pick(['E_SENSOR', 'E_BATTERY']), message: 'sensor fault' });
        case 'registry': {
          const op = pick([
            'create',
            'update',
            'update',
            'suspend',
            'resume',
            'resume',
            'decommission',
            'delete',
          ]);
          return JSON.stringify({ op, type: 'thermostat', attributes: { room: pick(['A', 'B', 'C']) } });
        }
      }
    }
  });
}

/** The reference: the same pure fold the processor runs, over the same bytes, in round order. */
export function referenceFold(rounds: Round[]): Map<string, TwinState | null> {
  const twins = new Map<string, TwinState | null>();
  // What the store holds: deleted twins leave a grave, from which a re-created one continues its version.
  const stored = new Map<string, StoredTwin>();
  for (const round of rounds) {
    for (const r of round.records) {
      let input;
      try {
        input = decodeInput(r.kind, r.key, Buffer.from(r.value), r.timestampMs, DEFAULT_JSON_LIMITS);
      } catch {
        continue; // the processor dead-letters it
      }
      const result = foldTwin(stored.get(r.key), input, {
        nowMs: r.timestampMs,
        config: FOLD_CONFIG,
      });
      if (result.state === undefined) continue;
      twins.set(r.key, result.state);
      const next = result.state ?? result.grave;
      if (next !== undefined) stored.set(r.key, next);
    }
  }
  return twins;
}

export function referenceDocuments(twins: Map<string, TwinState | null>): Map<string, TwinDocument> {
  const out = new Map<string, TwinDocument>();
  for (const [id, state] of twins) if (state) out.set(id, toTwinDocument(state));
  return out;
}

/**
 * The reference documents, after checking their reported, desired and delta against the
 * independent model (independent-reference.ts): the fold's semantics, not only its delivery.
 */
export function checkedReference(rounds: Round[]): Map<string, TwinDocument> {
  const documents = referenceDocuments(referenceFold(rounds));
  expectIndependentAgreement('the reference fold', documents, rounds);
  return documents;
}

/** Throws when `documents` differ from the independent model in reported, desired or delta. */
export function expectIndependentAgreement(
  what: string,
  documents: Map<string, TwinDocument | null>,
  rounds: Round[],
): void {
  const problems = independentProblems(documents, independentTwins(rounds));
  if (problems.length > 0)
    throw new Error(
      `${what} differs from the independent reference in ${problems.length} places: ${problems.slice(0, 5).join('; ')}`,
    );
}

/** Whether the application's group has committed offsets up to the current end of `topic`. */
export async function isConsumed(applicationId: string, topic: string, brokers?: string[]): Promise<boolean> {
  const admin = testKafka(undefined, brokers).admin();
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    const [committed] = await admin.fetchOffsets({ groupId: applicationId, topics: [topic] });
    // A partition no record went to has nothing to commit (its committed offset stays -1).
    return committed!.partitions.every((p) => {
      const end = ends.get(p.partition) ?? 0;
      return end === 0 || Number(p.offset) >= end;
    });
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the application's group has committed offsets up to the end of `topic`. */
export async function waitUntilConsumed(
  applicationId: string,
  topic: string,
  timeoutMs = 180000,
): Promise<void> {
  await waitFor(`group ${applicationId} to consume ${topic}`, () => isConsumed(applicationId, topic), {
    timeoutMs,
    intervalMs: 250,
  });
}

/** Produces each round to its topic and waits for the processor to consume it before the next. */
export async function runRounds(
  prefix: string,
  applicationId: string,
  rounds: Round[],
  between: (index: number) => Promise<void> = async () => undefined,
): Promise<void> {
  for (const [index, round] of rounds.entries()) {
    const topic = topicOf(prefix, round.kind);
    const messages: Message[] = round.records.map((r) => ({
      key: r.key,
      value: r.value,
      timestamp: String(r.timestampMs),
    }));
    const stored = await produce(topic, messages);
    round.records.forEach((r, i) => (r.timestampMs = stored[i]!));
    await between(index);
    await waitUntilConsumed(applicationId, topic);
  }
}

/** device.twins, read committed: the latest document per id, and every version published per id. */
export async function publishedTwins(
  prefix: string,
  brokers?: string[],
): Promise<{ latest: Map<string, TwinDocument | null>; versions: Map<string, number[]> }> {
  const records = await readAll([`${prefix}device.twins`], { brokers });
  const latest = new Map<string, TwinDocument | null>();
  const versions = new Map<string, number[]>();
  for (const r of records) {
    if (r.key === null) continue;
    const doc = r.value ? (JSON.parse(r.value.toString('utf8')) as TwinDocument) : null;
    latest.set(r.key, doc);
    versions.set(r.key, [...(versions.get(r.key) ?? []), doc ? doc.version : 0]);
  }
  return { latest, versions };
}

/** Every twin the API lists, following nextCursor to the end. */
export async function listAllTwins(url: string): Promise<TwinDocument[]> {
  const out: TwinDocument[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const res = await fetch(`${url}/api/v1/twins?limit=1000${query}`);
    if (!res.ok) throw new Error(`list twins: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { data: { twins: TwinDocument[]; nextCursor: string | null } };
    out.push(...body.data.twins);
    cursor = body.data.nextCursor;
  } while (cursor);
  return out;
}

/**
 * Versions of one twin in device.twins (0 = tombstone) must rise by one: a gap is a lost change, a
 * repeat a duplicate. A tombstone takes the next version too, and a twin re-created after it
 * continues from there (versions never decrease).
 */
export function versionProblems(versions: Map<string, number[]>): string[] {
  const problems: string[] = [];
  for (const [id, vs] of versions) {
    let last = 0;
    vs.forEach((v, i) => {
      const prev = i === 0 ? 0 : vs[i - 1]!;
      const ok = v === 0 ? prev !== 0 : v === last + 1;
      last += v === 0 ? 1 : v - last;
      if (!ok) problems.push(`${id}: version ${prev} then ${v}`);
    });
  }
  return problems;
}

/** Ids whose document differs between `actual` and `expected` (missing on either side counts). */
export function differingIds(
  actual: Map<string, TwinDocument | null>,
  expected: Map<string, TwinDocument>,
): string[] {
  const ids = new Set([...actual.keys(), ...expected.keys()]);
  return [...ids]
    .filter((id) => JSON.stringify(actual.get(id) ?? null) !== JSON.stringify(expected.get(id) ?? null))
    .sort();
}

/** The whole equality check: device.twins (read committed) and the stores, as the API serves them. */
export async function expectEqualToReference(prefix: string, apiUrl: string, rounds: Round[]): Promise<void> {
  const expected = referenceDocuments(referenceFold(rounds));
  const { latest, versions } = await publishedTwins(prefix);
  const published = differingIds(latest, expected);
  if (published.length > 0) {
    const id = published[0]!;
    throw new Error(
      `device.twins differs from the reference for ${published.length} twins; first ${id}:\nactual   ${JSON.stringify(latest.get(id))}\nexpected ${JSON.stringify(expected.get(id))}`,
    );
  }
  expectIndependentAgreement('device.twins', latest, rounds);
  const problems = versionProblems(versions);
  if (problems.length > 0)
    throw new Error(`device.twins versions not contiguous: ${problems.slice(0, 10).join('; ')}`);
  const listed = await listAllTwins(apiUrl);
  expectIndependentAgreement('the stores', new Map(listed.map((t) => [t.id, t])), rounds);
  const stored = differingIds(new Map(listed.map((t) => [t.id, t])), expected);
  if (stored.length > 0) {
    const id = stored[0]!;
    throw new Error(
      `stores differ from the reference for ${stored.length} twins; first ${id}: ${JSON.stringify(listed.find((t) => t.id === id))}`,
    );
  }
  if (expected.size === 0) throw new Error('the reference fold produced no twins: the workload is broken');
}
