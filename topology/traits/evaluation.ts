import type {
  AnomalyType,
  Evaluation,
  FieldEvaluation,
  FieldTraitsState,
  Maintenance,
  Severity,
  ThresholdForecast,
  TraitsState,
  Trend,
} from './types';

/**
 * The stored evaluation of a field (`FieldTraitsState.e`) is position-based: it is in every stored
 * twin and its changelog record, so it carries figures, not keys; `evaluationOf` spells it out.
 */
export const DRIFTING = 1;
export const UNSTABLE = 2;
const RISING = 4;
const FALLING = 8;

export const SEVERITY: Readonly<Record<AnomalyType, Severity>> = {
  SPIKE: 'HIGH',
  STUCK: 'MEDIUM',
  RAPID_CHANGE: 'MEDIUM',
};

export function flagsOf(drifting: boolean, unstable: boolean, trend: Trend): number {
  return (
    (drifting ? DRIFTING : 0) |
    (unstable ? UNSTABLE : 0) |
    (trend === 'RISING' ? RISING : trend === 'FALLING' ? FALLING : 0)
  );
}

export function trendOfFlags(flags: number): Trend {
  return (flags & RISING) !== 0 ? 'RISING' : (flags & FALLING) !== 0 ? 'FALLING' : 'STABLE';
}

/** Seed 003 Query 5's status and action for the hours until the line leaves the calibration band. */
export function maintenanceOf(hours: number): Maintenance {
  return {
    status: hours > 168 ? 'HEALTHY' : hours > 24 ? 'SCHEDULE_SOON' : 'URGENT',
    hoursUntilMaintenance: hours,
    recommendedAction: hours < 72 ? 'Recalibrate' : 'Monitor',
  };
}

/** The stored evaluation spelled out. */
export function evaluationOf(e: Evaluation): FieldEvaluation {
  const [points, perMinute, stdDev, percent, flags, anomalies, forecast, hours, staleAfterMs] = e;
  return {
    points,
    drift: { perMinute, status: (flags & DRIFTING) !== 0 ? 'DRIFTING' : 'STABLE' },
    stability: { stdDev, percent, status: (flags & UNSTABLE) !== 0 ? 'UNSTABLE' : 'GOOD' },
    trend: trendOfFlags(flags),
    anomalies: anomalies.map(([type, message]) => ({ type, severity: SEVERITY[type], message })),
    forecast:
      forecast === null
        ? null
        : {
            horizonMinutes: forecast[0],
            value: forecast[1],
            thresholds: forecast[2].map(([bound, value, inMinutes]): ThresholdForecast => ({
              bound,
              value,
              inMinutes,
            })),
          },
    maintenance: hours === null ? null : maintenanceOf(hours),
    staleAfterMs,
  };
}

/** The stored form of an evaluation (stores written before it was position-based kept the object). */
export function compactEvaluation(f: FieldEvaluation): Evaluation {
  const unstable = f.stability.status === 'UNSTABLE';
  return [
    f.points,
    f.drift.perMinute,
    f.stability.stdDev,
    f.stability.percent,
    flagsOf(f.drift.status === 'DRIFTING', unstable, f.trend),
    f.anomalies.map((a) => [a.type, a.message]),
    f.forecast === null
      ? null
      : [
          f.forecast.horizonMinutes,
          f.forecast.value,
          f.forecast.thresholds.map((x) => [x.bound, x.value, x.inMinutes]),
        ],
    f.maintenance === null ? null : f.maintenance.hoursUntilMaintenance,
    f.staleAfterMs,
  ];
}

/** A field's traits as stores written before the evaluation was position-based hold them. */
type LegacyFieldTraitsState = Omit<FieldTraitsState, 'e'> & { eval: FieldEvaluation };

/**
 * Traits read from a store or changelog, in today's form: a field stored with the evaluation as
 * an object (`eval`) gets it by position (`e`). The same object when nothing was old.
 */
export function upgradeTraits(traits: TraitsState): TraitsState {
  let fields: Record<string, FieldTraitsState> | undefined;
  for (const [name, f] of Object.entries(
    traits.fields as Record<string, FieldTraitsState | LegacyFieldTraitsState>,
  )) {
    if (!('eval' in f)) continue;
    const { eval: old, ...rest } = f;
    fields ??= { ...traits.fields };
    fields[name] = { ...rest, e: compactEvaluation(old) };
  }
  return fields === undefined ? traits : { ...traits, fields };
}
