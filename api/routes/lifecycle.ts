import type { LifecycleAction } from '../backend';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { parseAttributes } from '../validate';
import { API_PREFIX, accepted, requireTwin, type RouteDeps } from './common';

function lifecycleRoute(deps: RouteDeps, action: LifecycleAction, summary: string): RouteSpec {
  return {
    method: 'post',
    path: `${API_PREFIX}/twins/:id/${action}`,
    operationId: `${action}Twin`,
    tag: 'lifecycle',
    summary,
    access: 'admin',
    response: { status: 202, description: 'Lifecycle change accepted', schema: ref('RegistryRequest') },
    errors: ['TWIN_NOT_FOUND', 'LIFECYCLE_CONFLICT'],
    async handle({ params }) {
      return accepted(await deps.backend.setLifecycle(params.id!, action));
    },
  };
}

/** Lifecycle actions and the attributes (served as "metadata", docs/contract.md REST) of a twin. */
export function lifecycleRoutes(deps: RouteDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/twins/:id/metadata`,
      operationId: 'getMetadata',
      tag: 'lifecycle',
      summary: "The twin's attributes",
      access: 'read',
      response: { status: 200, description: 'The attribute map', schema: ref('Attributes') },
      async handle({ params }) {
        return { data: (await requireTwin(deps.backend, params.id!)).attributes };
      },
    },
    {
      method: 'put',
      path: `${API_PREFIX}/twins/:id/metadata`,
      operationId: 'setMetadata',
      tag: 'lifecycle',
      summary: "Replace the twin's attributes",
      access: 'admin',
      body: { description: 'The new attribute map (replaces the old one)', schema: ref('Attributes') },
      response: { status: 202, description: 'Update accepted', schema: ref('RegistryRequest') },
      errors: ['TWIN_NOT_FOUND', 'LIFECYCLE_CONFLICT'],
      async handle({ params, body }) {
        return accepted(await deps.backend.setAttributes(params.id!, parseAttributes(body, 'request body')));
      },
    },
    lifecycleRoute(
      deps,
      'suspend',
      'Suspend a twin: it keeps its data but takes no readings, desired patches or commands',
    ),
    lifecycleRoute(deps, 'resume', 'Resume a suspended twin (active, or pending if its device never spoke)'),
    lifecycleRoute(
      deps,
      'decommission',
      'Decommission a twin for good: open commands fail, and it accepts nothing but delete',
    ),
  ];
}
