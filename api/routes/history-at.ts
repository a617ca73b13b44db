import { TwinfoldError } from '../../shared/errors';
import type { Backend } from '../backend';
import type { QueryParamSpec } from '../route';
import type { TwinDocument } from '../twin-document';
import { invalid, parseTimeParam } from '../validate';

/** `GET /twins/{id}?at=<time>`: the twin as it was then, rebuilt from its history. */
export const AT_QUERY: QueryParamSpec = {
  name: 'at',
  description:
    'The twin as it was at this time (ISO-8601 date or date-time with a zone, epoch seconds or ms); not with minVersion',
  schema: { type: 'string' },
};

export async function twinAt(
  backend: Backend,
  id: string,
  query: Readonly<Record<string, string>>,
): Promise<TwinDocument> {
  if (query.minVersion !== undefined || query.waitMs !== undefined)
    throw invalid('at reads the past; it does not combine with minVersion or waitMs', 'at');
  const atMs = parseTimeParam(query.at ?? '', 'at');
  const twin = await backend.twinAt(id, atMs);
  if (!twin)
    throw new TwinfoldError('TWIN_NOT_FOUND', `twin ${id} did not exist at ${new Date(atMs).toISOString()}`);
  return twin;
}
