import { DRIFTING, maintenanceOf, SEVERITY, trendOfFlags, UNSTABLE } from './evaluation';
import { fieldHealth, twinHealth } from './health';
import type {
  AlertView,
  Health,
  FieldTraitsState,
  FieldTraitsView,
  OpenAlert,
  TraitsState,
  TraitsView,
} from './types';

/**
 * The `traits` section of the twin document, judged at `nowMs`: freshness (and the health it
 * enters) is the only part that depends on when it is read; everything else is what the fold
 * computed at each field's latest reading. The ring and baselines are not shown.
 */
export function traitsView(traits: TraitsState, nowMs: number): TraitsView {
  const fields: Record<string, FieldTraitsView> = {};
  const healths: [string, Health][] = [];
  for (const name in traits.fields) {
    if (!Object.hasOwn(traits.fields, name)) continue;
    const view = fieldView(traits.fields[name]!, nowMs);
    fields[name] = view;
    healths.push([name, view.health]);
  }
  return {
    evaluatedAt: new Date(nowMs).toISOString(),
    health: twinHealth(healths),
    fields,
    alerts: traits.alerts.map(alertView),
  };
}

function fieldView(f: FieldTraitsState, nowMs: number): FieldTraitsView {
  const e = f.e;
  const ageMs = Math.max(0, nowMs - f.at);
  const stale = ageMs > e[8];
  const flags = e[4];
  const forecast = e[6];
  return {
    freshness: { ageMs, status: stale ? 'STALE' : 'FRESH' },
    drift: { perMinute: e[1], status: (flags & DRIFTING) !== 0 ? 'DRIFTING' : 'STABLE' },
    stability: { stdDev: e[2], percent: e[3], status: (flags & UNSTABLE) !== 0 ? 'UNSTABLE' : 'GOOD' },
    trend: trendOfFlags(flags),
    anomalies: e[5].map(([type, message]) => ({ type, severity: SEVERITY[type], message })),
    forecast:
      forecast === null
        ? null
        : {
            horizonMinutes: forecast[0],
            value: forecast[1],
            thresholds: forecast[2].map(([bound, value, inMinutes]) => ({ bound, value, inMinutes })),
          },
    maintenance: e[7] === null ? null : maintenanceOf(e[7]),
    health: fieldHealth(e, stale ? ageMs : undefined),
  };
}

export function alertView(a: OpenAlert): AlertView {
  return {
    id: a.id,
    field: a.field,
    type: a.type,
    severity: a.severity,
    message: a.message,
    raisedAt: new Date(a.raisedAt).toISOString(),
  };
}
