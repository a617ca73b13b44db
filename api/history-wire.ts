import { isPlainObject } from '../shared/safe-json';
import type { AggregateBucket, ChangeKind, ChangeRecord, TelemetryPoint } from '../topology/history/queries';
import { toIso } from '../topology/twin';
import type { JsonObject } from './json';

/**
 * History as REST serves it (docs/contract.md): the same objects with every time as ISO-8601, and
 * back again where another instance forwarded the request (routing/remote-backend.ts). One place,
 * so what an instance answers and what the forwarding instance reads cannot drift.
 */

export interface TelemetryPointJson {
  timestamp: string;
  receivedAt: string;
  source: TelemetryPoint['source'];
  values: JsonObject;
  clock?: 'receive';
}

export function pointToJson(p: TelemetryPoint): TelemetryPointJson {
  return {
    timestamp: toIso(p.timestamp),
    receivedAt: toIso(p.receivedAt),
    source: p.source,
    values: p.values,
    ...(p.clock === undefined ? {} : { clock: p.clock }),
  };
}

export function pointFromJson(j: TelemetryPointJson): TelemetryPoint {
  return {
    timestamp: Date.parse(j.timestamp),
    receivedAt: Date.parse(j.receivedAt),
    source: j.source,
    values: isPlainObject(j.values) ? (j.values as JsonObject) : {},
    ...(j.clock === undefined ? {} : { clock: j.clock }),
  };
}

export type ChangeRecordJson = Omit<ChangeRecord, 'timestamp'> & { timestamp: string };

export function changeToJson(c: ChangeRecord): ChangeRecordJson {
  return { ...c, timestamp: toIso(c.timestamp) };
}

export function changeFromJson(j: ChangeRecordJson): ChangeRecord {
  return { ...j, kinds: [...j.kinds] as ChangeKind[], timestamp: Date.parse(j.timestamp) };
}

export type AggregateBucketJson = Omit<AggregateBucket, 'start' | 'end'> & { start: string; end: string };

export function bucketToJson(b: AggregateBucket): AggregateBucketJson {
  return { ...b, start: toIso(b.start), end: toIso(b.end) };
}

export function bucketFromJson(j: AggregateBucketJson): AggregateBucket {
  return { ...j, start: Date.parse(j.start), end: Date.parse(j.end) };
}
