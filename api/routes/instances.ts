import type { RouteSpec } from '../route';
import { STANDALONE_VIEW, type InstancesView } from '../routing/instances-view';
import { API_PREFIX } from './common';

export interface InstanceDeps {
  /** The partition -> instance map as this instance sees it; absent without routing. */
  instances?: () => InstancesView;
}

const url = { type: 'string', format: 'uri' };
const integerList = { type: 'array', items: { type: 'integer' } };

const INSTANCES_SCHEMA = {
  type: 'object',
  required: ['self', 'state', 'refreshedAt', 'partitionCount', 'partitions', 'instances'],
  properties: {
    self: { ...url, description: "This instance's advertised URL" },
    state: {
      enum: ['current', 'stale', 'unknown', 'standalone'],
      description: 'stale: a rebalance is under way and routed requests answer 503',
    },
    reason: { type: 'string' },
    refreshedAt: { type: ['string', 'null'], format: 'date-time' },
    partitionCount: { type: 'integer' },
    partitions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['partition', 'url', 'servedHere'],
        properties: {
          partition: { type: 'integer' },
          url: { type: ['string', 'null'] },
          servedHere: { type: 'boolean' },
        },
      },
    },
    instances: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url', 'self', 'partitions'],
        properties: { url, self: { type: 'boolean' }, partitions: integerList },
      },
    },
  },
};

/** `GET /system/instances`: who owns which partition, for operators and for debugging routing. */
export function instanceRoutes({ instances }: InstanceDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/system/instances`,
      operationId: 'systemInstances',
      tag: 'system',
      summary: 'The partition -> instance map this instance routes by',
      access: 'read',
      response: { status: 200, description: 'The ownership map', schema: INSTANCES_SCHEMA },
      async handle() {
        return { data: instances?.() ?? STANDALONE_VIEW };
      },
    },
  ];
}
