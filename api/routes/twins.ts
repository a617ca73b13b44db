import type { RouteSpec } from '../route';
import { etagFor } from '../conditional';
import { ref } from '../openapi/schemas';
import { parseAttributes, parseText, rejectUnknownFields } from '../validate';
import { DEVICE_ID_PATTERN, assertDeviceId } from '../../shared/ids';
import { TwinfoldError } from '../../shared/errors';
import type { TwinChanges } from '../backend';
import {
  API_PREFIX,
  LIST_QUERY,
  accepted,
  parseListQuery,
  requireTwin,
  twinUrl,
  type RouteDeps,
} from './common';
import { READ_YOUR_WRITES_QUERY, parseReadOptions } from './read-your-writes';
import { AT_QUERY, twinAt } from './history-at';

const TWIN_BODY = {
  type: 'object',
  properties: {
    id: { type: 'string', pattern: DEVICE_ID_PATTERN.source },
    type: { type: 'string', maxLength: 128 },
    attributes: ref('Attributes'),
  },
  additionalProperties: false,
};

/** The twin collection: list, register, read, update, delete. */
export function twinRoutes({ backend }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/twins`,
      operationId: 'listTwins',
      tag: 'twins',
      summary: 'List twins, filtered and paginated',
      access: 'read',
      query: LIST_QUERY,
      response: { status: 200, description: 'One page of twins', schema: ref('TwinList') },
      async handle({ query }) {
        const { twins, nextCursor, partitions } = await backend.listTwins(parseListQuery(query));
        // `partitions` only on one instance's local page, which another instance merges.
        return { data: { count: twins.length, twins, nextCursor, ...(partitions ? { partitions } : {}) } };
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/twins`,
      operationId: 'registerTwin',
      tag: 'twins',
      summary: 'Register a twin',
      access: 'admin',
      body: {
        description: '`id` and `type` required; `attributes` optional',
        schema: { ...TWIN_BODY, required: ['id', 'type'] },
      },
      response: {
        status: 202,
        description: 'Registration accepted',
        schema: ref('RegistryRequest'),
        headers: ['Location'],
      },
      errors: ['ALREADY_EXISTS'],
      async handle({ body }) {
        rejectUnknownFields(body, ['id', 'type', 'attributes'], 'request body');
        const id = assertDeviceId(body.id);
        const type = parseText(body.type, 'type');
        const attributes =
          body.attributes === undefined ? {} : parseAttributes(body.attributes, 'attributes');
        return accepted(await backend.registerTwin({ id, type, attributes }), { Location: twinUrl(id) });
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id`,
      operationId: 'getTwin',
      tag: 'twins',
      summary: 'One twin; ETag is its version',
      description:
        'Send `If-None-Match: "<version>"` to get 304 while the twin is unchanged. Read your writes with `minVersion` (the `version` a write returned): the answer waits up to `waitMs` for the twin to reach it, else 504 TIMEOUT. `at` answers the twin as it was at that time, rebuilt from its history (no ETag; 404 if it did not exist then, 410 GONE before the history kept).',
      access: 'read',
      query: [...READ_YOUR_WRITES_QUERY, AT_QUERY],
      response: {
        status: 200,
        description: 'The twin document',
        schema: ref('TwinDocument'),
        headers: ['ETag'],
      },
      errors: ['TIMEOUT', 'GONE'],
      async handle({ params, query }) {
        if (query.at !== undefined) return { data: await twinAt(backend, params.id!, query) };
        const twin = await requireTwin(backend, params.id!, parseReadOptions(query));
        return { data: twin, headers: { ETag: etagFor(twin.version) } };
      },
    },
    {
      method: 'put',
      path: `${API_PREFIX}/twins/:id`,
      operationId: 'updateTwin',
      tag: 'twins',
      summary: 'Update the type and/or attributes (attributes are replaced as a whole)',
      access: 'admin',
      body: {
        description: 'At least one of `type`, `attributes`',
        schema: { ...TWIN_BODY, minProperties: 1 },
      },
      response: { status: 202, description: 'Update accepted', schema: ref('RegistryRequest') },
      errors: ['TWIN_NOT_FOUND', 'LIFECYCLE_CONFLICT'],
      async handle({ params, body }) {
        rejectUnknownFields(body, ['type', 'attributes'], 'request body');
        const changes: TwinChanges = {};
        if (body.type !== undefined) changes.type = parseText(body.type, 'type');
        if (body.attributes !== undefined)
          changes.attributes = parseAttributes(body.attributes, 'attributes');
        if (Object.keys(changes).length === 0) {
          throw new TwinfoldError('VALIDATION_ERROR', 'request body must contain type and/or attributes');
        }
        return accepted(await backend.updateTwin(params.id!, changes));
      },
    },
    {
      method: 'delete',
      path: `${API_PREFIX}/twins/:id`,
      operationId: 'deleteTwin',
      tag: 'twins',
      summary: 'Delete a twin (a tombstone on device.twins)',
      access: 'admin',
      response: { status: 202, description: 'Deletion accepted', schema: ref('RegistryRequest') },
      errors: ['TWIN_NOT_FOUND'],
      async handle({ params }) {
        return accepted(await backend.deleteTwin(params.id!));
      },
    },
  ];
}
