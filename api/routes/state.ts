import { TwinfoldError } from '../../shared/errors';
import { etagFor, parseIfMatch } from '../conditional';
import type { JsonObject } from '../json';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { API_PREFIX, accepted, requireTwin, type RouteDeps } from './common';

function nonEmpty(body: JsonObject, what: string): JsonObject {
  if (Object.keys(body).length === 0)
    throw new TwinfoldError('VALIDATION_ERROR', `${what} must change at least one field`);
  return body;
}

/** Reported and desired state. */
export function stateRoutes({ backend }: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/state`,
      operationId: 'getTwinState',
      tag: 'state',
      summary: 'Reported, desired, delta and their metadata',
      access: 'read',
      response: {
        status: 200,
        description: 'The state sections',
        schema: ref('TwinState'),
        headers: ['ETag'],
      },
      async handle({ params }) {
        const { reported, desired, delta, metadata, version } = await requireTwin(backend, params.id!);
        return { data: { reported, desired, delta, metadata }, headers: { ETag: etagFor(version) } };
      },
    },
    {
      method: 'patch',
      path: `${API_PREFIX}/twins/:id/desired`,
      operationId: 'patchDesired',
      tag: 'state',
      summary: 'Merge-patch the desired state (RFC 7386: null deletes a field)',
      access: 'write',
      headers: [
        {
          name: 'If-Match',
          description: 'Apply only if the twin still has this version, e.g. "17" (412 otherwise)',
          schema: { type: 'string' },
        },
      ],
      body: {
        description: 'JSON merge patch of the desired state',
        schema: { type: 'object', minProperties: 1 },
      },
      response: {
        status: 202,
        description: 'Patch folded by the owner; `version` is the version it produced',
        schema: ref('DesiredPatchRequest'),
      },
      // LIMIT_EXCEEDED / PAYLOAD_TOO_LARGE: the processor or the bridge would refuse the patch, or
      // the twin would outgrow its limit. TIMEOUT: the owner did not see the patch folded in time
      // (it is in Kafka and may still apply).
      errors: [
        'TWIN_NOT_FOUND',
        'VERSION_CONFLICT',
        'LIFECYCLE_CONFLICT',
        'LIMIT_EXCEEDED',
        'PAYLOAD_TOO_LARGE',
        'TIMEOUT',
      ],
      async handle({ req, params, body }) {
        const ifVersion = parseIfMatch(req.get('If-Match'));
        return accepted(await backend.patchDesired(params.id!, nonEmpty(body, 'desired patch'), ifVersion));
      },
    },
    {
      method: 'put',
      path: `${API_PREFIX}/twins/:id/state`,
      operationId: 'injectState',
      tag: 'state',
      summary: 'Inject reported state as if the device had sent it (simulation and testing)',
      access: 'admin',
      body: {
        description: 'Reported state, like a device/{id}/state message',
        schema: { type: 'object', minProperties: 1 },
      },
      response: { status: 202, description: 'State accepted', schema: ref('StateInjection') },
      // A suspended or decommissioned twin takes no state; the twin must fit its size limit.
      errors: ['LIFECYCLE_CONFLICT', 'LIMIT_EXCEEDED', 'PAYLOAD_TOO_LARGE'],
      async handle({ params, body }) {
        return accepted(await backend.injectState(params.id!, nonEmpty(body, 'state')));
      },
    },
  ];
}
