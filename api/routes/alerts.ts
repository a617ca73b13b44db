import { TwinfoldError } from '../../shared/errors';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { parseLimit, parseTwinFilter } from '../validate';
import { API_PREFIX } from './common';
import { requireFleet, type FleetQueries } from './health-fanout';
import { FLEET_FILTER_QUERY } from './health';

/** `GET /alerts?active=true`: the open alerts of the fleet. */
export function alertRoutes(fleet: FleetQueries | undefined): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/alerts`,
      operationId: 'fleetAlerts',
      tag: 'traits',
      summary: "The fleet's open alerts, newest first",
      description:
        'Gathered from every instance; 503 NOT_READY while any partition is not served. Only open alerts are kept (`active=true`); their history is the `alert.raised` / `alert.cleared` events on device.events.',
      access: 'read',
      query: [
        ...FLEET_FILTER_QUERY,
        { name: 'active', description: 'Only `true` (open alerts)', schema: { const: 'true' } },
        {
          name: 'limit',
          description: 'At most this many (1..1000)',
          schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      ],
      response: { status: 200, description: 'The open alerts', schema: ref('AlertList') },
      async handle({ query }) {
        if (query.active !== undefined && query.active !== 'true')
          throw new TwinfoldError(
            'VALIDATION_ERROR',
            'active must be true: only open alerts are kept (their history is on device.events)',
          );
        const filter = parseTwinFilter(query);
        return { data: await requireFleet(fleet).alerts({ limit: parseLimit(query.limit), filter }) };
      },
    },
  ];
}
