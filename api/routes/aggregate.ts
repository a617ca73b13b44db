import { fnValue } from '../fleet-aggregate';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { FLEET_AGGREGATE_QUERY, parseFleetAggregateQuery } from './aggregate-query';
import { API_PREFIX, type RouteDeps } from './common';

/**
 * Fleet aggregates over the twins as they are now. Mounted before `GET /twins/{id}`, so this path
 * wins over a twin named `aggregate` (whose other routes are unaffected).
 */
export function aggregateRoutes({ backend }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/twins/aggregate`,
      operationId: 'aggregateTwins',
      tag: 'twins',
      summary: 'Count and numeric aggregates of the current twins, grouped and filtered',
      description:
        'Computed by every instance over its partitions and merged (an average from sums and counts); 503 when a partition is not covered. `avg`, `min`, `max` and `sum` take the numbers found at the path (others are skipped) and are null for a group without any.',
      access: 'read',
      query: FLEET_AGGREGATE_QUERY,
      response: { status: 200, description: 'One entry per group', schema: ref('FleetAggregate') },
      async handle({ query }) {
        const { query: q, fns } = parseFleetAggregateQuery(query);
        const page = await backend.aggregateTwins(q);
        const groups = page.groups.map((g) => ({
          key: g.key,
          values: Object.fromEntries(fns.map((f) => [f.name, fnValue(g, f)])),
        }));
        // `partitions` and the mergeable `partials` only on one instance's answer to a forwarded request.
        const local = page.partitions ? { partitions: page.partitions, partials: page.groups } : {};
        return { data: { groupBy: q.groupBy, count: groups.length, groups, ...local } };
      },
    },
  ];
}
