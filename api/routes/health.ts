import { TwinfoldError } from '../../shared/errors';
import { ref } from '../openapi/schemas';
import type { QueryParamSpec, RouteSpec } from '../route';
import { parseTwinFilter } from '../validate';
import { API_PREFIX, LIST_QUERY } from './common';
import { requireFleet, type FleetQueries } from './health-fanout';

/** The fleet filters (`type`, `status`, `lifecycle`, `health`, `alert`, `attr.KEY`) without paging. */
export const FLEET_FILTER_QUERY: readonly QueryParamSpec[] = LIST_QUERY.filter(
  (q) => q.name !== 'limit' && q.name !== 'cursor',
);

const MAX_WORST = 100;

/** `GET /health` (seed 003 Query 2 over the fleet) and `GET /twins/{id}/traits`. */
export function healthRoutes(fleet: FleetQueries | undefined): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/health`,
      operationId: 'fleetHealth',
      tag: 'traits',
      summary: 'Twins by health status and the worst ones, judged now',
      description:
        'Gathered from every instance; 503 NOT_READY while any partition is not served. Freshness is judged at the time of the request. UNKNOWN counts twins without traits.',
      access: 'read',
      query: [
        ...FLEET_FILTER_QUERY,
        {
          name: 'worst',
          description: `How many of the lowest-scoring twins to name (0..${MAX_WORST})`,
          schema: { type: 'integer', minimum: 0, maximum: MAX_WORST, default: 10 },
        },
      ],
      response: { status: 200, description: 'The fleet health', schema: ref('FleetHealth') },
      async handle({ query }) {
        const worst = query.worst === undefined ? 10 : parseWorst(query.worst);
        return { data: await requireFleet(fleet).health({ worst, filter: parseTwinFilter(query) }) };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/traits`,
      operationId: 'getTraits',
      tag: 'traits',
      summary: "One twin's computed traits and open alerts, judged now",
      description: '`traits` is null until the twin has had a numeric reading.',
      access: 'read',
      response: { status: 200, description: 'The traits', schema: ref('TwinTraits') },
      async handle({ params }) {
        const answer = await requireFleet(fleet).traits(params.id!);
        if (!answer) throw new TwinfoldError('TWIN_NOT_FOUND', `twin ${params.id!} not found`);
        return { data: answer };
      },
    },
  ];
}

function parseWorst(raw: string): number {
  const n = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 0 && n <= MAX_WORST))
    throw new TwinfoldError('VALIDATION_ERROR', `worst must be an integer between 0 and ${MAX_WORST}`);
  return n;
}
