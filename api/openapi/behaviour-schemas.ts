import { FEATURE_COLUMNS } from '../../topology/behaviour';
import type { Schema } from '../route';
import { alertView } from './traits-schemas';

/** Schemas of the network-behaviour twin (topology/behaviour/types.ts). */

const number: Schema = { type: 'number' };
const nullableNumber: Schema = { type: ['number', 'null'] };
const NULLABLE = new Set(['latencyMs', 'jitterMs', 'interArrivalMs', 'interArrivalCv', 'sessionMs']);

function column(name: string): Schema {
  if (name === 'label') return { type: ['string', 'null'], description: 'Ground truth (simulators only)' };
  if (name === 'windowStart') return { ...number, description: 'Epoch ms, a multiple of windowMs' };
  return NULLABLE.has(name) ? nullableNumber : number;
}

const properties: Record<string, Schema> = {};
for (const name of FEATURE_COLUMNS) properties[name] = column(name);
const window: Schema = {
  type: 'object',
  properties,
  required: [...FEATURE_COLUMNS],
  additionalProperties: false,
};

function view(): Schema {
  const windowOrNull: Schema = {
    oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/BehaviourWindow' }],
  };
  const props: Record<string, Schema> = { window: windowOrNull, alerts: { type: 'array', items: alertView } };
  return { type: 'object', properties: props, required: ['window', 'alerts'], additionalProperties: false };
}

export const BEHAVIOUR_SCHEMAS = {
  BehaviourWindow: window,
  BehaviourView: view(),
} satisfies Record<string, Schema>;
