import { CHANGE_KINDS } from '../../topology/history/queries';
import { COMMAND_STATUSES } from '../../topology/twin';
import { REGISTRY_REQUEST_OPS } from '../backend';
import type { Schema } from '../route';
import { CONNECTION_STATUSES, LIFECYCLES } from '../twin-document';
import { BEHAVIOUR_SCHEMAS } from './behaviour-schemas';
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
  {
    ...twinDocument,
    traits: { $ref: '#/components/schemas/TraitsView' },
    behaviour: { $ref: '#/components/schemas/BehaviourView' },
  },
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

const TelemetryPoint = obj(
  {
    timestamp: { ...timestamp, description: 'The reading time as folded' },
    receivedAt: { ...timestamp, description: "The broker's receive time" },
    source: { enum: ['telemetry', 'state'] },
    values: { type: 'object', description: 'The readings of the message (or the fields asked for)' },
    clock: {
      enum: ['receive'],
      description: "The device's time was not trusted: `timestamp` is the receive time",
    },
  },
  ['timestamp', 'receivedAt', 'source', 'values'],
);
const aggregateValue: Schema = { type: ['number', 'null'] };
const ChangeRecord = obj(
  {
    version: { type: 'integer', minimum: 1 },
    timestamp: { ...timestamp, description: 'When the change was folded (its record time)' },
    kinds: { type: 'array', items: { enum: [...CHANGE_KINDS] } },
    patch: {
      type: 'object',
      description: 'RFC 7386 merge patch from the previous version of the twin document',
    },
    actor: { type: 'string', description: '`device`, `system` (timers), or the API token subject' },
    reason: { type: 'string', description: 'X-Change-Reason of the API write' },
  },
  ['version', 'timestamp', 'kinds', 'patch', 'actor'],
);
const cursor: Schema = { type: ['string', 'null'], description: 'Pass as `cursor`; null on the last page' };

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
  TelemetryPoint,
  TelemetryList: obj({
    twin_id: { type: 'string' },
    count: { type: 'integer' },
    telemetry: { type: 'array', items: { $ref: '#/components/schemas/TelemetryPoint' } },
    nextCursor: cursor,
  }),
  TelemetryAggregate: obj({
    twin_id: { type: 'string' },
    field: { type: 'string' },
    bucketMs: { type: 'integer' },
    start: timestamp,
    end: timestamp,
    buckets: {
      type: 'array',
      items: obj(
        {
          start: timestamp,
          end: timestamp,
          count: { type: 'integer' },
          avg: aggregateValue,
          min: aggregateValue,
          max: aggregateValue,
          first: aggregateValue,
          last: aggregateValue,
          sum: aggregateValue,
        },
        ['start', 'end', 'count'],
      ),
    },
  }),
  ChangeRecord,
  HistoryList: obj({
    twin_id: { type: 'string' },
    count: { type: 'integer' },
    changes: { type: 'array', items: { $ref: '#/components/schemas/ChangeRecord' } },
    nextCursor: cursor,
  }),
  TwinChanges: obj({
    twin_id: { type: 'string' },
    fromVersion: { type: 'integer' },
    version: { type: 'integer', description: 'The current version' },
    patch: {
      type: 'object',
      description: 'RFC 7386 merge patch from the document at fromVersion to the current one',
    },
  }),
  FleetAggregate: obj(
    {
      groupBy: { type: ['string', 'null'] },
      count: { type: 'integer', description: 'Number of groups' },
      groups: {
        type: 'array',
        items: obj({
          key: {
            type: ['string', 'null'],
            description: "The group's value; null: the twin has none (or no groupBy)",
          },
          values: {
            type: 'object',
            description:
              'One entry per requested function, named as requested, e.g. `avg(reported.temperature)`',
            additionalProperties: aggregateValue,
          },
        }),
      },
      partitions: {
        type: 'array',
        items: { type: 'integer' },
        description: 'Only on an instance-local answer',
      },
      partials: { type: 'array', description: 'Only on an instance-local answer: mergeable groups' },
    },
    ['groupBy', 'count', 'groups'],
  ),
  ...TRAITS_SCHEMAS,
  ...BEHAVIOUR_SCHEMAS,
  ...RULES_SCHEMAS,
  ErrorEnvelope: obj({
    status: { const: 'error' },
    error: obj(
      {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'object',
          properties: {
            field: { type: 'string', description: 'The request parameter that was refused' },
            oldestVersion: { type: 'integer', description: 'GONE: the oldest version history still has' },
            oldestTimestamp: { ...timestamp, description: 'GONE: the oldest time history still reaches' },
          },
        },
      },
      ['code', 'message'],
    ),
    timestamp,
  }),
} satisfies Record<string, Schema>;

/** The success envelope around a `data` schema. */
export function envelope(data: Schema): Schema {
  return obj({ status: { const: 'success' }, data, timestamp });
}
