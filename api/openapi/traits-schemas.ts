import { BEHAVIOUR_ALERT_TYPES } from '../../topology/traits';
import type { Schema } from '../route';

/** Schemas of the computed traits (topology/traits/types.ts): the twin document's `traits` section and alert data. */

const timestamp: Schema = { type: 'string', format: 'date-time' };
const severity: Schema = { enum: ['LOW', 'MEDIUM', 'HIGH'] };
export const alertType: Schema = {
  enum: ['SPIKE', 'STUCK', 'RAPID_CHANGE', 'DRIFT', 'UNSTABLE', 'UNHEALTHY', ...BEHAVIOUR_ALERT_TYPES],
};
const nullableNumber: Schema = { type: ['number', 'null'] };

function obj(properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema {
  return { type: 'object', properties, required, additionalProperties: false };
}

const health = obj({
  score: { type: 'number', minimum: 0, maximum: 100 },
  status: { enum: ['HEALTHY', 'DEGRADED', 'FAILED'] },
  issues: { type: 'array', items: { type: 'string' } },
});

const fieldTraits = obj({
  freshness: obj({ ageMs: { type: 'number', minimum: 0 }, status: { enum: ['FRESH', 'STALE'] } }),
  drift: obj({ perMinute: { type: 'number' }, status: { enum: ['STABLE', 'DRIFTING'] } }),
  stability: obj({
    stdDev: { type: 'number', minimum: 0 },
    percent: { type: 'number', minimum: 0, maximum: 100 },
    status: { enum: ['GOOD', 'UNSTABLE'] },
  }),
  trend: { enum: ['RISING', 'FALLING', 'STABLE'] },
  anomalies: {
    type: 'array',
    items: obj({ type: { enum: ['SPIKE', 'STUCK', 'RAPID_CHANGE'] }, severity, message: { type: 'string' } }),
  },
  forecast: {
    oneOf: [
      { type: 'null' },
      obj({
        horizonMinutes: { type: 'number' },
        value: { type: 'number' },
        thresholds: {
          type: 'array',
          items: obj({
            bound: { enum: ['min', 'max'] },
            value: { type: 'number' },
            inMinutes: nullableNumber,
          }),
        },
      }),
    ],
  },
  maintenance: {
    oneOf: [
      { type: 'null' },
      obj({
        status: { enum: ['HEALTHY', 'SCHEDULE_SOON', 'URGENT'] },
        hoursUntilMaintenance: { type: 'number', minimum: 0 },
        recommendedAction: { enum: ['Recalibrate', 'Monitor'] },
      }),
    ],
  },
  health,
});

export const alertView = obj({
  id: { type: 'string' },
  field: { type: ['string', 'null'] },
  type: alertType,
  severity,
  message: { type: 'string' },
  raisedAt: timestamp,
});

export const TRAITS_SCHEMAS = {
  TraitsView: obj({
    evaluatedAt: {
      ...timestamp,
      description: "When freshness was judged: the twin's updatedAt in the document",
    },
    health,
    fields: { type: 'object', additionalProperties: fieldTraits },
    alerts: { type: 'array', items: alertView },
  }),
  AlertEvent: obj({
    type: { enum: ['alert.raised', 'alert.cleared'] },
    deviceId: { type: 'string' },
    version: { type: 'integer', minimum: 1 },
    timestamp,
    data: { $ref: '#/components/schemas/AlertEventData' },
  }),
  AlertEventData: obj({
    id: { type: 'string', description: '`<deviceId>:<n>`: the same in alert.raised and alert.cleared' },
    field: { type: ['string', 'null'], description: 'null for the twin-level UNHEALTHY alert' },
    type: alertType,
    severity,
    message: { type: 'string' },
    at: { ...timestamp, description: 'The reading time at which it was raised or cleared' },
  }),
} satisfies Record<string, Schema>;
