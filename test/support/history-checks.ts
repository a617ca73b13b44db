import { api, dataOf } from './api-cluster';
import {
  applyMergePatch,
  canonical,
  documentAt,
  mergePatchDiff,
  type HistoryReference,
  type JsonMap,
  type RefReading,
  type RefVersion,
} from './history-reference';

/**
 * What the history endpoints answer for a set of devices (fetched once, from the instance given
 * per device), and the comparison with the reference, check by check. Split so a test can show
 * that every check fails on a broken reference.
 */

interface PointJson {
  timestamp: string;
  receivedAt: string;
  source: 'telemetry' | 'state';
  values: JsonMap;
  clock?: 'receive';
}
interface ChangeJson {
  version: number;
  timestamp: string;
  patch: JsonMap;
  deleted?: true;
}
interface BucketJson {
  start: string;
  count: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  sum: number | null;
}
interface FleetJson {
  groups: { key: string | null; values: Record<string, number | null> }[];
}

export interface DeviceAnswers {
  id: string;
  telemetry: PointJson[];
  /** The same readings read page by page with a small limit. */
  paged: PointJson[];
  csvRows: number;
  changes: ChangeJson[];
  since: { version: number; answer: { fromVersion: number; version: number; patch: JsonMap } | 'gone' };
  at: { atMs: number; document: JsonMap | null };
  aggregate: { start: number; bucketMs: number; buckets: BucketJson[] };
}

export interface Answers {
  devices: DeviceAnswers[];
  fleet: FleetJson[];
}

const FLEET_FNS = 'count,avg(reported.temperature),min(reported.temperature),max(reported.temperature)';
const path = (id: string, rest: string): string => `/api/v1/twins/${encodeURIComponent(id)}${rest}`;

async function get<T>(url: string, p: string): Promise<T> {
  return dataOf<T>(await api(url, 'GET', p));
}

/** The middle version of a device's reference, the time of its change, and a bucket range over its readings. */
function probes(
  ref: HistoryReference,
  id: string,
): { since: number; atMs: number; start: number; end: number } {
  const versions = ref.versions.get(id) ?? [];
  const middle = versions[Math.floor(versions.length / 2)];
  const times = (ref.readings.get(id) ?? []).map((r) => r.timestamp);
  const start = Math.floor(Math.min(...times, Date.now()) / 1000) * 1000;
  const end = Math.max(...times, start) + 1;
  return { since: middle?.version ?? 0, atMs: middle?.timestamp ?? 0, start, end };
}

export async function fetchAnswers(
  ref: HistoryReference,
  ids: readonly string[],
  urlFor: (i: number) => string,
  fleetUrls: readonly string[],
): Promise<Answers> {
  const fetchDevice = async (id: string, i: number): Promise<DeviceAnswers> => {
    const url = urlFor(i);
    const probe = probes(ref, id);
    const telemetry = (await get<{ telemetry: PointJson[] }>(url, path(id, '/telemetry?limit=10000')))
      .telemetry;
    const paged: PointJson[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page: { telemetry: PointJson[]; nextCursor: string | null } = await get(
        url,
        path(id, `/telemetry?limit=7${q}`),
      );
      paged.push(...page.telemetry);
      cursor = page.nextCursor;
    } while (cursor !== null);
    const csv = await api(url, 'GET', path(id, '/telemetry?format=csv'));
    const changes = (await get<{ changes: ChangeJson[] }>(url, path(id, '/history?limit=10000'))).changes;
    const sinceAnswer = await api(url, 'GET', path(id, `/changes?sinceVersion=${probe.since}`));
    const atAnswer = await api(url, 'GET', path(id, `?at=${new Date(probe.atMs).toISOString()}`));
    const aggregate = await get<{ buckets: BucketJson[] }>(
      url,
      path(
        id,
        `/telemetry/aggregate?field=temperature&bucket=1s&fn=count,avg,min,max,sum&start=${probe.start}&end=${probe.end}`,
      ),
    );
    return {
      id,
      telemetry,
      paged,
      csvRows: csv.text.split('\r\n').filter((l) => l.length > 0).length - 1,
      changes,
      since: { version: probe.since, answer: sinceAnswer.status === 410 ? 'gone' : dataOf(sinceAnswer) },
      at: { atMs: probe.atMs, document: atAnswer.status === 404 ? null : dataOf<JsonMap>(atAnswer) },
      aggregate: { start: probe.start, bucketMs: 1000, buckets: aggregate.buckets },
    };
  };
  const devices = await Promise.all(ids.map(fetchDevice));
  const fleet: FleetJson[] = [];
  for (const url of fleetUrls)
    fleet.push(await get<FleetJson>(url, `/api/v1/twins/aggregate?groupBy=type&fn=${FLEET_FNS}`));
  return { devices, fleet };
}

const pointOf = (p: PointJson): RefReading => ({
  timestamp: Date.parse(p.timestamp),
  receivedAt: Date.parse(p.receivedAt),
  source: p.source,
  values: p.values,
  ...(p.clock === undefined ? {} : { clock: p.clock }),
});

/** Drops null members: a merge patch cannot set a null, so patched documents are compared without them. */
function withoutNulls(doc: JsonMap | null): JsonMap | null {
  return doc === null
    ? null
    : (JSON.parse(JSON.stringify(doc, (_k, v: unknown) => (v === null ? undefined : v))) as JsonMap);
}

/** JSON text with every object's members sorted: equal documents, whatever their member order. */
function sorted(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const same = (a: unknown, b: unknown): boolean => sorted(a) === sorted(b);

export type CheckName = 'telemetry' | 'paging' | 'csv' | 'history' | 'changes' | 'at' | 'aggregate' | 'fleet';

/** Problems found per check (empty: all equal). */
export function compareAnswers(
  answers: Answers,
  ref: HistoryReference,
  current: Map<string, JsonMap>,
): Map<CheckName, string[]> {
  const problems = new Map<CheckName, string[]>();
  const report = (check: CheckName, message: string): void => {
    problems.set(check, [...(problems.get(check) ?? []), message]);
  };
  for (const d of answers.devices) {
    const readings = ref.readings.get(d.id) ?? [];
    const versions: RefVersion[] = ref.versions.get(d.id) ?? [];
    const got = d.telemetry.map(pointOf);
    if (!same(canonical(got), canonical(readings)))
      report('telemetry', `${d.id}: ${got.length} readings, reference ${readings.length}`);
    if (got.some((p, i) => i > 0 && p.timestamp < got[i - 1]!.timestamp))
      report('telemetry', `${d.id}: not in time order`);
    if (!same(d.paged, d.telemetry)) report('paging', `${d.id}: pages differ from one page`);
    if (d.csvRows !== readings.length)
      report('csv', `${d.id}: ${d.csvRows} CSV rows, reference ${readings.length}`);

    const listed = d.changes.map((c) => [c.version, Date.parse(c.timestamp)]);
    if (
      !same(
        listed,
        versions.map((v) => [v.version, v.timestamp]),
      )
    )
      report('history', `${d.id}: versions or their times differ`);
    let doc: JsonMap | null = null;
    for (const [i, c] of d.changes.entries()) {
      doc = c.deleted ? null : (applyMergePatch(doc ?? {}, c.patch) as JsonMap);
      const expected = versions[i]?.document ?? null;
      if (!same(withoutNulls(doc), withoutNulls(expected))) {
        report('history', `${d.id}: patches up to version ${c.version} do not give the reference document`);
        break;
      }
    }

    const now = current.get(d.id);
    const from = versions.find((v) => v.version === d.since.version)?.document;
    if (now !== undefined && from) {
      const expected = mergePatchDiff(from, now);
      const answer = d.since.answer;
      if (answer === 'gone' || answer.version !== now.version || !same(answer.patch, expected))
        report(
          'changes',
          `${d.id}: since ${d.since.version}: ${JSON.stringify(answer).slice(0, 200)} expected ${JSON.stringify(expected).slice(0, 200)}`,
        );
    }

    if (!same(d.at.document, documentAt(versions, d.at.atMs)))
      report('at', `${d.id}: the twin at ${d.at.atMs} differs`);

    for (const b of d.aggregate.buckets) {
      const start = Date.parse(b.start);
      const xs = readings
        .filter((r) => r.timestamp >= start && r.timestamp < start + d.aggregate.bucketMs)
        .map((r) => r.values.temperature)
        .filter((v): v is number => typeof v === 'number');
      const sum = xs.reduce((a, x) => a + x, 0);
      const ok =
        b.count === xs.length &&
        (xs.length === 0
          ? b.avg === null && b.min === null && b.max === null
          : Math.abs(b.avg! - sum / xs.length) < 1e-9 &&
            b.min === Math.min(...xs) &&
            b.max === Math.max(...xs) &&
            Math.abs(b.sum! - sum) < 1e-6);
      if (!ok) {
        report(
          'aggregate',
          `${d.id}: bucket ${b.start}: ${JSON.stringify(b)}, reference ${xs.length} values`,
        );
        break;
      }
    }
    const inRange = readings.filter(
      (r) => r.timestamp >= d.aggregate.start && typeof r.values.temperature === 'number',
    ).length;
    if (d.aggregate.buckets.reduce((a, b) => a + b.count, 0) !== inRange)
      report('aggregate', `${d.id}: bucket counts differ in total`);
  }

  const byType = new Map<string, number[]>();
  const members = new Map<string, number>();
  for (const doc of current.values()) {
    const type = String(doc.type);
    members.set(type, (members.get(type) ?? 0) + 1);
    const t = (doc.reported as JsonMap | undefined)?.temperature;
    byType.set(type, [...(byType.get(type) ?? []), ...(typeof t === 'number' ? [t] : [])]);
  }
  const expected = [...members.keys()].sort().map((type) => {
    const xs = byType.get(type)!;
    return {
      key: type,
      count: members.get(type)!,
      avg: xs.length === 0 ? null : xs.reduce((a, x) => a + x, 0) / xs.length,
      min: xs.length === 0 ? null : Math.min(...xs),
      max: xs.length === 0 ? null : Math.max(...xs),
    };
  });
  for (const answer of answers.fleet) {
    const got = answer.groups.map((g) => ({
      key: g.key,
      count: g.values.count,
      avg: g.values['avg(reported.temperature)'],
      min: g.values['min(reported.temperature)'],
      max: g.values['max(reported.temperature)'],
    }));
    const close = (a: number | null | undefined, b: number | null): boolean =>
      a === null || b === null ? a === b : Math.abs(a! - b) < 1e-9;
    const ok =
      got.length === expected.length &&
      got.every((g, i) => {
        const e = expected[i]!;
        return (
          g.key === e.key && g.count === e.count && close(g.avg, e.avg) && g.min === e.min && g.max === e.max
        );
      });
    if (!ok) report('fleet', `groups ${JSON.stringify(got)} expected ${JSON.stringify(expected)}`);
  }
  return problems;
}
