import { TwinfoldError } from '../../shared/errors';
import { assertDeviceId } from '../../shared/ids';
import type { FieldTraitsView } from '../../topology/traits';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { parseText } from '../validate';
import { API_PREFIX } from './common';
import { requireFleet, type FleetQueries, type TwinTraits } from './health-fanout';

const MAX_COMPARED = 50;

/** One twin's field in a comparison (seed 003 Query 6: "which sensor is most reliable?"). */
export interface ComparedTwin {
  id: string;
  type: string;
  stdDev: number;
  /** 100 × (1 − σ / scale): seed 003's reliability score with the default scale of 10. */
  stabilityPercent: number;
  trend: FieldTraitsView['trend'];
  freshness: FieldTraitsView['freshness'];
  health: FieldTraitsView['health'];
}

export interface Comparison {
  field: string;
  /** Most stable first (then by health score, then id). */
  ranking: ComparedTwin[];
  /** Twins that do not exist, or have no traits for the field. */
  missing: { id: string; reason: 'twin' | 'field' }[];
}

/** Ranks the twins' traits of one field; pure. */
export function compareTwins(
  field: string,
  ids: readonly string[],
  answers: readonly (TwinTraits | undefined)[],
): Comparison {
  const ranking: ComparedTwin[] = [];
  const missing: Comparison['missing'] = [];
  ids.forEach((id, i) => {
    const answer = answers[i];
    const f =
      answer?.traits && Object.hasOwn(answer.traits.fields, field) ? answer.traits.fields[field] : undefined;
    if (!answer || !f) {
      missing.push({ id, reason: answer ? 'field' : 'twin' });
      return;
    }
    const { trend, freshness, health } = f;
    const { stdDev, percent } = f.stability;
    ranking.push({
      id,
      type: answer.type,
      stdDev,
      stabilityPercent: percent,
      trend,
      freshness,
      health,
    });
  });
  ranking.sort(
    (a, b) =>
      b.stabilityPercent - a.stabilityPercent || b.health.score - a.health.score || (a.id < b.id ? -1 : 1),
  );
  return { field, ranking, missing };
}

function parseIds(raw: string | undefined): string[] {
  const ids = (raw ?? '').split(',').filter((s) => s !== '');
  if (ids.length === 0 || ids.length > MAX_COMPARED)
    throw new TwinfoldError('VALIDATION_ERROR', `ids must name 1..${MAX_COMPARED} twins, comma-separated`);
  return [...new Set(ids.map(assertDeviceId))];
}

/** `GET /compare?ids=a,b,c&field=temperature`. */
export function compareRoutes(fleet: FleetQueries | undefined): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/compare`,
      operationId: 'compareTwins',
      tag: 'traits',
      summary: 'Rank twins by the stability of one field (seed 003 Query 6)',
      access: 'read',
      query: [
        {
          name: 'ids',
          description: `1..${MAX_COMPARED} twin ids, comma-separated`,
          schema: { type: 'string' },
        },
        { name: 'field', description: 'A numeric reported field', schema: { type: 'string' } },
      ],
      response: { status: 200, description: 'The ranking', schema: ref('Comparison') },
      async handle({ query }) {
        const ids = parseIds(query.ids);
        const field = parseText(query.field, 'field');
        const queries = requireFleet(fleet);
        const answers = await Promise.all(ids.map((id) => queries.traits(id)));
        return { data: compareTwins(field, ids, answers) };
      },
    },
  ];
}
