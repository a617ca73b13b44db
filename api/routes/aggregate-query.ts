import {
  FLEET_FIELD_FNS,
  type FleetAggregateQuery,
  type FleetFieldFn,
  type FleetFn,
  type FleetGroupBy,
} from '../fleet-aggregate';
import type { QueryParamSpec } from '../route';
import {
  ATTRIBUTE_FILTER_PREFIX,
  invalid,
  parseFieldPath,
  parseList,
  parseText,
  parseTwinFilter,
  twinFilterParams,
} from '../validate';
import { LIST_QUERY } from './common';

/** `GET /twins/aggregate`: its query string, parsed, and (for forwarding) written back. */

export const MAX_FLEET_FNS = 32;
const FIXED_GROUP_BYS = ['type', 'connection.status', 'lifecycle'] as const;
const REPORTED = 'reported.';

export const FLEET_AGGREGATE_QUERY: readonly QueryParamSpec[] = [
  {
    name: 'groupBy',
    description: `One of ${FIXED_GROUP_BYS.join(', ')} or \`attr.KEY\`; absent: the whole fleet is one group`,
    schema: { type: 'string' },
  },
  {
    name: 'fn',
    description: `Comma-separated: \`count\`, ${FLEET_FIELD_FNS.map((f) => `\`${f}(reported.FIELD)\``).join(', ')}; default \`count\``,
    schema: { type: 'string', default: 'count' },
  },
  // The list's filters (not its paging).
  ...LIST_QUERY.filter((q) => q.name !== 'limit' && q.name !== 'cursor'),
];

function parseGroupBy(raw: string | undefined): FleetGroupBy {
  if (raw === undefined) return null;
  if ((FIXED_GROUP_BYS as readonly string[]).includes(raw)) return raw as FleetGroupBy;
  if (raw.startsWith(ATTRIBUTE_FILTER_PREFIX)) {
    const key = parseText(raw.slice(ATTRIBUTE_FILTER_PREFIX.length), 'groupBy');
    return `${ATTRIBUTE_FILTER_PREFIX}${key}`;
  }
  throw invalid(`groupBy must be one of ${FIXED_GROUP_BYS.join(', ')} or attr.KEY`, 'groupBy');
}

function parseFn(text: string): FleetFn {
  if (text === 'count') return { fn: 'count', name: 'count' };
  const m = /^([a-z]+)\((.*)\)$/.exec(text);
  if (!m || !(FLEET_FIELD_FNS as readonly string[]).includes(m[1]!)) {
    throw invalid(
      `fn: ${JSON.stringify(text.slice(0, 64))} is not count or one of ${FLEET_FIELD_FNS.map((f) => `${f}(reported.FIELD)`).join(', ')}`,
      'fn',
    );
  }
  const path = m[2]!;
  if (!path.startsWith(REPORTED))
    throw invalid(`fn: ${m[1]}() takes a path under reported., e.g. reported.temperature`, 'fn');
  return { fn: m[1] as FleetFieldFn, path: parseFieldPath(path.slice(REPORTED.length), 'fn'), name: text };
}

export interface ParsedFleetQuery {
  query: FleetAggregateQuery;
  fns: FleetFn[];
}

export function parseFleetAggregateQuery(raw: Readonly<Record<string, string>>): ParsedFleetQuery {
  const fns = parseList(raw.fn ?? 'count', 'fn', MAX_FLEET_FNS, parseFn);
  const fields = [...new Set(fns.flatMap((f) => (f.fn === 'count' ? [] : [f.path])))];
  return { query: { groupBy: parseGroupBy(raw.groupBy), fields, filter: parseTwinFilter(raw) }, fns };
}

/** Query parameters asking another instance for the same groups (every field's stats come back). */
export function fleetQueryParams(query: FleetAggregateQuery): Record<string, string> {
  return {
    ...twinFilterParams(query.filter),
    ...(query.groupBy === null ? {} : { groupBy: query.groupBy }),
    fn: ['count', ...query.fields.map((f) => `sum(${REPORTED}${f})`)].join(','),
  };
}
