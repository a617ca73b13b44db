import { COMPARISON_OPS } from '../../topology/rules/model';
import type { Schema } from '../route';
import { HEALTH_FILTERS } from '../twin-filter';

/**
 * Schemas of the device-type profiles, rules, fleet health and alerts, and of the twins' MQTT
 * outputs (docs/contract.md: Traits, alerts and rules).
 */

const timestamp: Schema = { type: 'string', format: 'date-time' };
function obj(properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema {
  return { type: 'object', properties, required, additionalProperties: false };
}

const health: Schema = obj({
  score: { type: 'number', minimum: 0, maximum: 100 },
  status: { enum: ['HEALTHY', 'DEGRADED', 'FAILED'] },
  issues: { type: 'array', items: { type: 'string' } },
});

const listOf = (key: string, item: Schema): Schema =>
  obj({ count: { type: 'integer', minimum: 0 }, [key]: { type: 'array', items: item } });

const ruleProperties: Record<string, Schema> = {
  id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$' },
  type: { type: 'string', description: 'The device type whose twins it watches' },
  description: { type: 'string' },
  when: { $ref: '#/components/schemas/Condition' },
  command: obj(
    {
      action: { type: 'string' },
      parameters: { type: 'object' },
      priority: { type: 'integer', minimum: 0, maximum: 9 },
      ttlSeconds: { type: 'integer', minimum: 1 },
    },
    ['action'],
  ),
  cooldownSeconds: { type: 'integer', minimum: 0, description: 'Record time between firings' },
  enabled: { type: 'boolean' },
};

const alert: Schema = obj({
  twinId: { type: 'string' },
  twinType: { type: 'string' },
  id: { type: 'string' },
  field: { type: ['string', 'null'] },
  type: { type: 'string' },
  severity: { enum: ['LOW', 'MEDIUM', 'HIGH'] },
  message: { type: 'string' },
  raisedAt: timestamp,
});

const firing: Schema = obj({
  twinId: { type: 'string' },
  ruleId: { type: 'string' },
  at: timestamp,
  commandId: { type: 'string' },
  version: { type: 'integer', minimum: 1 },
  command: {
    oneOf: [
      { type: 'null' },
      obj(
        {
          status: { enum: ['pending', 'delivered', 'acknowledged', 'failed', 'expired'] },
          ackStatus: { type: 'string' },
          result: {},
          updatedAt: timestamp,
        },
        ['status', 'updatedAt'],
      ),
    ],
  },
});

const partitions: Schema = {
  type: 'array',
  items: { type: 'integer' },
  description: "Only on one instance's local answer to another instance",
};

export const RULES_SCHEMAS = {
  Condition: {
    description: '`{all: [...]}`, `{any: [...]}`, `{not: {...}}` or a comparison `{path, op, value}`',
    oneOf: [
      obj({ all: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/Condition' } } }),
      obj({ any: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/Condition' } } }),
      obj({ not: { $ref: '#/components/schemas/Condition' } }),
      obj(
        {
          path: { type: 'string', pattern: '^(reported|traits)\\.' },
          op: { enum: [...COMPARISON_OPS] },
          value: {},
        },
        ['path', 'op'],
      ),
    ],
  },
  Rule: obj(ruleProperties, ['id', 'type', 'when', 'command']),
  RuleView: obj({ ...ruleProperties, updatedAt: timestamp }, [
    'id',
    'type',
    'when',
    'command',
    'cooldownSeconds',
    'enabled',
    'updatedAt',
  ]),
  RuleList: listOf('rules', { $ref: '#/components/schemas/RuleView' }),
  ProfileView: obj({
    type: { type: 'string' },
    profile: { type: 'object', description: 'Every setting, the defaults filled in' },
    default: { type: 'boolean', description: 'true: the type has no profile of its own' },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  ProfileList: listOf('types', { $ref: '#/components/schemas/ProfileView' }),
  FiringList: obj(
    {
      ruleId: { type: 'string' },
      count: { type: 'integer', minimum: 0 },
      firings: { type: 'array', items: firing },
      partitions,
    },
    ['ruleId', 'count', 'firings'],
  ),
  FleetHealth: obj(
    {
      evaluatedAt: timestamp,
      total: { type: 'integer', minimum: 0 },
      counts: obj(Object.fromEntries(HEALTH_FILTERS.map((s) => [s, { type: 'integer', minimum: 0 }]))),
      worst: {
        type: 'array',
        items: obj({
          id: { type: 'string' },
          type: { type: 'string' },
          score: { type: 'number' },
          status: { enum: ['HEALTHY', 'DEGRADED', 'FAILED'] },
          issues: { type: 'array', items: { type: 'string' } },
        }),
      },
      partitions,
    },
    ['evaluatedAt', 'total', 'counts', 'worst'],
  ),
  AlertList: obj({ count: { type: 'integer' }, alerts: { type: 'array', items: alert }, partitions }, [
    'count',
    'alerts',
  ]),
  TwinTraits: obj({
    id: { type: 'string' },
    type: { type: 'string' },
    version: { type: 'integer' },
    traits: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/TraitsView' }] },
  }),
  Comparison: obj({
    field: { type: 'string' },
    ranking: {
      type: 'array',
      items: obj({
        id: { type: 'string' },
        type: { type: 'string' },
        stdDev: { type: 'number' },
        stabilityPercent: { type: 'number' },
        trend: { enum: ['RISING', 'FALLING', 'STABLE'] },
        freshness: obj({ ageMs: { type: 'number' }, status: { enum: ['FRESH', 'STALE'] } }),
        health,
      }),
    },
    missing: { type: 'array', items: obj({ id: { type: 'string' }, reason: { enum: ['twin', 'field'] } }) },
  }),
  TwinUpdate: obj(
    {
      id: { type: 'string' },
      version: { type: 'integer', minimum: 1 },
      timestamp: { type: ['string', 'null'], format: 'date-time' },
      reported: { type: 'object', description: 'The reported fields that changed in this version' },
      desired: { type: 'object', description: 'The desired fields that changed in this version' },
    },
    ['id', 'version', 'timestamp'],
  ),
} satisfies Record<string, Schema>;
