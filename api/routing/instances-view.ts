import type { OwnershipSnapshot } from '../../topology/partition-owners';

/** `GET /api/v1/system/instances`: the partition -> instance map as this instance sees it. */
export interface InstancesView {
  /** This instance's advertised URL. */
  self: string;
  /** `current`, `stale` (a rebalance is under way: routed requests answer 503), `unknown`, or `standalone`. */
  state: string;
  /** Why the map is not current, when it is not. */
  reason?: string;
  refreshedAt: string | null;
  partitionCount: number;
  /** Every partition, with its owner's URL (the last known one while stale; null if none). */
  partitions: { partition: number; url: string | null; servedHere: boolean }[];
  /** Every owning instance and its partitions. */
  instances: { url: string; self: boolean; partitions: number[] }[];
}

/** The view of one ownership snapshot; `servedHere` says which partitions run on this instance. Pure. */
export function instancesView(
  snapshot: OwnershipSnapshot,
  servedHere: (partition: number) => boolean,
): InstancesView {
  const partitions: InstancesView['partitions'] = [];
  const byUrl = new Map<string, number[]>();
  for (let p = 0; p < snapshot.partitionCount; p++) {
    const url = snapshot.owners.get(p) ?? null;
    partitions.push({ partition: p, url, servedHere: servedHere(p) });
    if (url !== null) byUrl.set(url, [...(byUrl.get(url) ?? []), p]);
  }
  return {
    self: snapshot.self,
    state: snapshot.state,
    ...(snapshot.reason === undefined ? {} : { reason: snapshot.reason }),
    refreshedAt: snapshot.refreshedAt?.toISOString() ?? null,
    partitionCount: snapshot.partitionCount,
    partitions,
    instances: [...byUrl]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([url, ps]) => ({ url, self: url === snapshot.self, partitions: ps })),
  };
}

/** What an API without routing (one process, or unit tests) reports. */
export const STANDALONE_VIEW: InstancesView = {
  self: '',
  state: 'standalone',
  refreshedAt: null,
  partitionCount: 0,
  partitions: [],
  instances: [],
};
