import { splitPath, valueAt } from '../topology/history/values';
import type { JsonObject } from './json';
import type { TwinFilter } from './backend';
import type { FilterableTwin } from './twin-filter';

/**
 * Fleet aggregates over the twins as they are now (`GET /twins/aggregate`): pure parts. Each
 * instance folds its own partitions into mergeable groups (count, and per field count, sum, min,
 * max), the instance that was asked merges them (an average from the sums and counts, never from
 * averages) and renders the requested functions.
 */

/** What twins are grouped by; `null`: the whole fleet is one group. */
export type FleetGroupBy = 'type' | 'connection.status' | 'lifecycle' | `attr.${string}` | null;

export const FLEET_FIELD_FNS = ['avg', 'min', 'max', 'sum'] as const;
export type FleetFieldFn = (typeof FLEET_FIELD_FNS)[number];

/** One requested function: `count`, or `avg(reported.temperature)` and the like. */
export type FleetFn = { fn: 'count'; name: 'count' } | { fn: FleetFieldFn; path: string; name: string };

export interface FleetAggregateQuery {
  groupBy: FleetGroupBy;
  /** Dotted paths under `reported` whose numbers are accumulated. */
  fields: readonly string[];
  filter: TwinFilter;
}

/** The numbers of one field in one group; min and max are null while `count` is 0. */
export interface FieldStats {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/** One group before rendering: mergeable across instances. */
export interface FleetGroup {
  /** The group's value (attributes by their string form); null: the twin has none, or no groupBy. */
  key: string | null;
  count: number;
  fields: Record<string, FieldStats>;
}

export interface FleetAggregatePage {
  /** Sorted by key, null first. */
  groups: FleetGroup[];
  /** Set only on one instance's local answer (which another instance merges): its partitions. */
  partitions?: number[];
}

/** What a twin offers to an aggregate: what a filter looks at, and its reported state. */
export interface AggregatableTwin extends FilterableTwin {
  reported: JsonObject;
}

function groupKey(groupBy: FleetGroupBy, t: AggregatableTwin): string | null {
  if (groupBy === null) return null;
  if (groupBy === 'type') return t.type;
  if (groupBy === 'lifecycle') return t.lifecycle;
  if (groupBy === 'connection.status') return t.connection?.status ?? null;
  const key = groupBy.slice('attr.'.length);
  return t.attributes !== undefined && Object.hasOwn(t.attributes, key) ? String(t.attributes[key]) : null;
}

function emptyStats(): FieldStats {
  return { count: 0, sum: 0, min: null, max: null };
}

function addStats(into: FieldStats, from: FieldStats): void {
  into.count += from.count;
  into.sum += from.sum;
  if (from.min !== null && (into.min === null || from.min < into.min)) into.min = from.min;
  if (from.max !== null && (into.max === null || from.max > into.max)) into.max = from.max;
}

/** Accumulates twins into groups; `page()` returns them sorted. */
export class FleetAccumulator {
  private readonly groups = new Map<string | null, FleetGroup>();

  constructor(private readonly query: Pick<FleetAggregateQuery, 'groupBy' | 'fields'>) {}

  private group(key: string | null): FleetGroup {
    let group = this.groups.get(key);
    if (!group) {
      group = { key, count: 0, fields: {} };
      for (const path of this.query.fields) group.fields[path] = emptyStats();
      this.groups.set(key, group);
    }
    return group;
  }

  add(twin: AggregatableTwin): void {
    const group = this.group(groupKey(this.query.groupBy, twin));
    group.count += 1;
    for (const path of this.query.fields) {
      const value = valueAt(twin.reported, splitPath(path));
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      addStats(group.fields[path]!, { count: 1, sum: value, min: value, max: value });
    }
  }

  /** Adds another instance's groups (of the same query). */
  merge(groups: readonly FleetGroup[]): void {
    for (const other of groups) {
      const group = this.group(other.key);
      group.count += other.count;
      for (const path of this.query.fields) addStats(group.fields[path]!, other.fields[path] ?? emptyStats());
    }
  }

  page(): FleetGroup[] {
    return [...this.groups.values()].sort((a, b) =>
      a.key === b.key ? 0 : a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : 1,
    );
  }
}

/** The value of one function over one merged group: null for avg/min/max/sum of no numbers. */
export function fnValue(group: FleetGroup, fn: FleetFn): number | null {
  if (fn.fn === 'count') return group.count;
  const stats = group.fields[fn.path] ?? emptyStats();
  if (stats.count === 0) return null;
  if (fn.fn === 'avg') return stats.sum / stats.count;
  return fn.fn === 'sum' ? stats.sum : fn.fn === 'min' ? stats.min : stats.max;
}
