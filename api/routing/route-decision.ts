/** Where a single-twin request is served. */
export type RouteDecision =
  { kind: 'local' } | { kind: 'forward'; url: string } | { kind: 'unavailable'; reason: string };

export interface RouteFacts {
  partition: number;
  /** This instance runs the partition's task (its store is restored and serving). */
  servedHere: boolean;
  /** The request was forwarded here by another instance. */
  forwarded: boolean;
  /** The owner from the group's map; undefined while the map is not current. */
  owner: string | undefined;
  /** This instance's advertised URL. */
  self: string;
}

/**
 * The routing rule, pure. Served here -> local (a running store holds committed state, so its
 * answer is right for its version even while ownership moves). Otherwise a forwarded request stops
 * here (one hop), and so does one whose owner is unknown or is this instance still restoring.
 * Only then forward, and only to the map's URL: nothing from the request picks the target.
 */
export function decideRoute(f: RouteFacts): RouteDecision {
  if (f.servedHere) return { kind: 'local' };
  if (f.forwarded) {
    return {
      kind: 'unavailable',
      reason: `partition ${f.partition} is not served by this instance, which will not forward a forwarded request`,
    };
  }
  if (f.owner === undefined) {
    return {
      kind: 'unavailable',
      reason: `the owner of partition ${f.partition} is not known (rebalancing)`,
    };
  }
  if (f.owner === f.self) {
    return { kind: 'unavailable', reason: `partition ${f.partition} is being restored on this instance` };
  }
  return { kind: 'forward', url: f.owner };
}
