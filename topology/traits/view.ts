import { fieldHealth, twinHealth } from './health';
import type {
  AlertView,
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
  for (const [name, f] of Object.entries(traits.fields)) fields[name] = fieldView(f, nowMs);
  return {
    evaluatedAt: new Date(nowMs).toISOString(),
    health: twinHealth(Object.entries(fields).map(([name, f]) => [name, f.health] as const)),
    fields,
    alerts: traits.alerts.map(alertView),
  };
}

function fieldView(f: FieldTraitsState, nowMs: number): FieldTraitsView {
  const e = f.eval;
  const ageMs = Math.max(0, nowMs - f.at);
  const stale = ageMs > e.staleAfterMs;
  return {
    freshness: { ageMs, status: stale ? 'STALE' : 'FRESH' },
    drift: { ...e.drift },
    stability: { ...e.stability },
    trend: e.trend,
    anomalies: e.anomalies.map((a) => ({ ...a })),
    forecast:
      e.forecast === null
        ? null
        : { ...e.forecast, thresholds: e.forecast.thresholds.map((x) => ({ ...x })) },
    maintenance: e.maintenance === null ? null : { ...e.maintenance },
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
