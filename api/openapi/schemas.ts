import { COMMAND_STATUSES } from '../../topology/twin';
import { REGISTRY_REQUEST_OPS } from '../backend';
import type { Schema } from '../route';
import { CONNECTION_STATUSES, LIFECYCLES } from '../twin-document';
import { TRAITS_SCHEMAS } from './traits-schemas';
import { RULES_SCHEMAS } from './rules-schemas';

/** Reusable schemas (`components.schemas`) of the OpenAPI document. */

export function ref(name: keyof typeof SCHEMAS): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

const timestamp: Schema = { type: 'string', format: 'date-time' };
const nullableTimestamp: Schema = { type: ['string', 'null'], format: 'date-time' };
const object: Schema = { type: 'object' };
const fieldMetadata: Schema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    properties: {
      timestamp,
      version: { type: 'integer' },
      unit: { type: 'string', description: "The value's unit, from its message's metadata" },
      clock: {
        type: 'string',
        enum: ['receive'],
        description: "The device's time was not trusted: `timestamp` is the broker's receive time",
      },
      deviceTimestamp: { ...timestamp, description: "With `clock`: the device's untrusted time" },
    },
    required: ['timestamp', 'version'],
  },
};
const attributes: Schema = {
  type: 'object',
  description: 'Flat map; the API accepts string, number and boolean values',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
};

function obj(properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema {
  return { type: 'object', properties, required };
}

function list(key: string, item: Schema, cursor: boolean): Schema {
  const props: Record<string, Schema> = { count: { type: 'integer' }, [key]: { type: 'array', items: item } };
  if (cursor)
    props.nextCursor = { type: ['string', 'null'], description: 'Pass as `cursor`; null on the last page' };
  return obj(props);
}

const twinDocument = {
  id: { type: 'string' },
  type: { type: 'string' },
  lifecycle: { enum: [...LIFECYCLES] },
  connection: obj({
    status: { enum: [...CONNECTION_STATUSES] },
    since: nullableTimestamp,
    lastSeen: nullableTimestamp,
  }),
  reported: object,
  desired: object,
  delta: object,
  metadata: obj({ reported: fieldMetadata, desired: fieldMetadata }),
  attributes,
  version: { type: 'integer', minimum: 0 },
  commands: obj({ pending: { type: 'integer', minimum: 0 } }),
  createdAt: timestamp,
  updatedAt: timestamp,
};
// `traits` only with TRAITS on, once a numeric reading arrived: the computed traits and open alerts.
const TwinDocument = obj(
  { ...twinDocument, traits: { $ref: '#/components/schemas/TraitsView' } },
  Object.keys(twinDocument),
);

const Command = obj(
  {
    command_id: { type: 'string' },
    action: { type: 'string' },
    parameters: object,
    priority: { type: 'integer' },
    status: { enum: [...COMMAND_STATUSES], description: "Seed 000's command lifecycle" },
    timestamp: { ...timestamp, description: 'When the command was queued' },
    expiresAt: timestamp,
    updatedAt: { ...timestamp, description: 'Time of the latest status change' },
    attempts: { type: 'integer', minimum: 0, description: 'Deliveries so far' },
    deliveredAt: { ...timestamp, description: 'Time of the latest delivery' },
    acknowledgedAt: timestamp,
    failedAt: timestamp,
    expiredAt: timestamp,
    ackStatus: { type: 'string', description: "The `status` of the device's latest ack" },
    result: { description: "The device's ack result, if any" },
    error: { type: 'string', description: 'Why the command failed' },
    origin: { type: 'string', description: 'Who queued it when not an application: `rule:<id>`' },
  },
  [
    'command_id',
    'action',
    'parameters',
    'priority',
    'status',
    'timestamp',
    'expiresAt',
    'updatedAt',
    'attempts',
  ],
);

const DeviceView = obj({
  id: { type: 'string' },
  type: { type: 'string' },
  lifecycle: { enum: [...LIFECYCLES] },
  status: { enum: [...CONNECTION_STATUSES] },
  since: nullableTimestamp,
  lastSeen: nullableTimestamp,
  pendingCommands: { type: 'integer' },
});

const RegistryRequest = obj(
  {
    op: { enum: [...REGISTRY_REQUEST_OPS] },
    id: { type: 'string' },
    type: { type: 'string' },
    attributes,
    requestedAt: timestamp,
  },
  ['op', 'id', 'requestedAt'],
);

const Readiness = obj(
  {
    ready: { type: 'boolean' },
    status: { type: 'string' },
    detail: object,
    retryAfterSeconds: { type: 'number' },
  },
  ['ready', 'status'],
);

export const SCHEMAS = {
  TwinDocument,
  TwinList: list('twins', { $ref: '#/components/schemas/TwinDocument' }, true),
  TwinState: obj({
    reported: object,
    desired: object,
    delta: object,
    metadata: obj({ reported: fieldMetadata, desired: fieldMetadata }),
  }),
  Attributes: attributes,
  RegistryRequest,
  DesiredPatchRequest: obj(
    {
      id: { type: 'string' },
      patch: object,
      ifVersion: { type: 'integer' },
      version: { type: 'integer', description: 'The twin version once this patch is applied' },
      requestedAt: timestamp,
    },
    ['id', 'patch', 'version', 'requestedAt'],
  ),
  StateInjection: obj({ id: { type: 'string' }, state: object, requestedAt: timestamp }),
  Command,
  CommandList: list('commands', { $ref: '#/components/schemas/Command' }, false),
  DeviceView,
  DeviceList: list('devices', { $ref: '#/components/schemas/DeviceView' }, true),
  DeviceHealth: obj({
    id: { type: 'string' },
    healthy: { type: 'boolean' },
    status: { enum: [...CONNECTION_STATUSES] },
    lifecycle: { enum: [...LIFECYCLES] },
    lastSeen: nullableTimestamp,
    silentForSeconds: { type: ['number', 'null'] },
    pendingCommands: { type: 'integer' },
    reasons: { type: 'array', items: { type: 'string' } },
  }),
  Readiness,
  SystemHealth: obj({
    status: { enum: ['ok', 'not_ready'] },
    startedAt: timestamp,
    uptimeSeconds: { type: 'number' },
    readiness: { $ref: '#/components/schemas/Readiness' },
  }),
  SystemMetrics: obj({
    uptimeSeconds: { type: 'number' },
    memory: obj({ rssBytes: { type: 'integer' }, heapUsedBytes: { type: 'integer' } }),
    metrics: {
      type: 'array',
      items: obj({
        name: { type: 'string' },
        type: { type: 'string' },
        help: { type: 'string' },
        values: { type: 'array' },
      }),
    },
  }),
  Liveness: obj({ status: { const: 'ok' } }),
  ...TRAITS_SCHEMAS,
  ...RULES_SCHEMAS,
  ErrorEnvelope: obj({
    status: { const: 'error' },
    error: obj({ code: { type: 'string' }, message: { type: 'string' } }),
    timestamp,
  }),
} satisfies Record<string, Schema>;

/** The success envelope around a `data` schema. */
export function envelope(data: Schema): Schema {
  return obj({ status: { const: 'success' }, data, timestamp });
}
