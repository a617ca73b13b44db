/**
 * Types of the computed traits (seed 003): what a device-type profile sets, what the twin state
 * stores per numeric reported field (bounded, clock-free), what the twin document shows, and the
 * alert events. All times are epoch milliseconds; nothing here reads the clock.
 */

/** The settings a profile may override per field (`DeviceProfile.fields.<name>`). */
export interface FieldSettings {
  /** |slope| over the drift window above this (units per minute) is DRIFTING (seed 003 Query 2: 0.1). */
  driftPerMinute: number;
  /** |slope| over the drift window above this, and significant, is RISING / FALLING. */
  trendPerMinute: number;
  /** |slope| over the rapid window above this is a RAPID_CHANGE anomaly (seed 003 Query 3: 1.0). */
  rapidPerMinute: number;
  /** A reading more than k standard deviations from the baseline is a SPIKE (seed 003: 3). */
  spikeK: number;
  /** The same value this many readings in a row is STUCK (seed 003: 10). */
  stuckN: number;
  /** Standard deviation at which stability is 0 %: stability % = 100 × (1 − σ / scale), clamped. */
  stabilityScale: number;
  /** Stability % below this is UNSTABLE (seed 003 Query 2: 70). */
  minStabilityPercent: number;
  /** A field whose last reading is older than this is STALE. */
  staleAfterMs: number;
}

/** Bounds of a field; either side may be absent. */
export interface Bounds {
  min?: number;
  max?: number;
}

/** Per field: overrides of the profile's settings, forecast thresholds and a calibration band. */
export interface FieldProfile extends Partial<FieldSettings> {
  /** The forecast gives the time until the fitted line crosses each of these. */
  thresholds?: Bounds;
  /** Maintenance: when a drifting field is forecast to leave this band (seed 003 Query 5). */
  calibration?: Bounds;
  /** true: no traits for this field (counters, sequence numbers). */
  ignore?: boolean;
}

export interface TraitWindows {
  /** Drift, trend, stability and forecast are computed over the ring's points this recent. */
  driftMs: number;
  /** RAPID_CHANGE is computed over the ring's points this recent (seed 003 Query 3: 60 s). */
  rapidMs: number;
}

export interface Hysteresis {
  /** An open alert clears once its measure is below `clearRatio` × its raise threshold ... */
  clearRatio: number;
  /** ... for this many consecutive readings of its field. */
  clearAfter: number;
}

/** What a device type folds its traits with; `PUT /types/{type}/profile` sets one. */
export interface DeviceProfile extends FieldSettings {
  windows: TraitWindows;
  /** Points kept per field (the ring); windows are cut to these. */
  ringSize: number;
  /** Weight of a new reading in the exponentially weighted baseline mean and variance. */
  baselineAlpha: number;
  /** Readings the baseline needs before it judges SPIKEs. */
  warmup: number;
  /** How far ahead the forecast looks (seed 003: 10 minutes). */
  forecastMs: number;
  hysteresis: Hysteresis;
  fields: Record<string, FieldProfile>;
}

export type ValidationResult =
  { ok: true; profile: DeviceProfile } | { ok: false; errors: { field: string; message: string }[] };

/** One accepted reading's effect, stored per numeric field. Bounded: the ring has `ringSize` points. */
export interface FieldTraitsState {
  /** Time of the latest reading. */
  at: number;
  /** Ring of recent points, oldest first: times as ms before `at` (the last is 0), and values. */
  t: number[];
  v: number[];
  /** Readings in the baseline so far (a reading repeating the previous value is not taken). */
  n: number;
  /** Exponentially weighted baseline, updated after each reading is judged. */
  mean: number;
  variance: number;
  /** How many readings in a row, up to the latest, had the latest value. */
  run: number;
  /** The traits as evaluated at the latest reading, with the profile of that time (see `Evaluation`). */
  e: Evaluation;
}

/**
 * A `FieldEvaluation` stored by position (evaluation.ts `evaluationOf` spells it out): it is in
 * every stored twin and changelog record. Flags: DRIFTING 1, UNSTABLE 2, RISING 4, FALLING 8.
 * Anomalies as [type, message] (the severity follows from the type); the forecast as
 * [horizonMinutes, value, thresholds as [bound, value, inMinutes]]; maintenance as its hours.
 */
export type Evaluation = [
  points: number,
  perMinute: number,
  stdDev: number,
  percent: number,
  flags: number,
  anomalies: readonly (readonly [AnomalyType, string])[],
  forecast:
    | readonly [
        horizonMinutes: number,
        value: number,
        thresholds: readonly (readonly [ThresholdForecast['bound'], number, number | null])[],
      ]
    | null,
  maintenanceHours: number | null,
  staleAfterMs: number,
];

export type DriftStatus = 'STABLE' | 'DRIFTING';
export type StabilityStatus = 'GOOD' | 'UNSTABLE';
export type Trend = 'RISING' | 'FALLING' | 'STABLE';
export type FreshnessStatus = 'FRESH' | 'STALE';
export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'FAILED';
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH';
export type AnomalyType = 'SPIKE' | 'STUCK' | 'RAPID_CHANGE';
export type MaintenanceStatus = 'HEALTHY' | 'SCHEDULE_SOON' | 'URGENT';

export interface Anomaly {
  type: AnomalyType;
  severity: Severity;
  message: string;
}

export interface ThresholdForecast {
  bound: 'min' | 'max';
  value: number;
  /** Minutes until the fitted line crosses it; 0 when already beyond, null when it never will. */
  inMinutes: number | null;
}

export interface Forecast {
  horizonMinutes: number;
  /** The fitted line's value `horizonMinutes` after the latest reading. */
  value: number;
  thresholds: ThresholdForecast[];
}

/** Seed 003 Query 5, for a drifting field with a calibration band. */
export interface Maintenance {
  status: MaintenanceStatus;
  /** Hours until the fitted line leaves the calibration band (0: already outside). */
  hoursUntilMaintenance: number;
  recommendedAction: 'Recalibrate' | 'Monitor';
}

export interface Health {
  score: number;
  status: HealthStatus;
  issues: string[];
}

/**
 * The clock-free traits of a field, computed by the fold at its latest reading (stored as an
 * `Evaluation`). Its health is not stored: it follows from these figures (and freshness).
 */
export interface FieldEvaluation {
  /** Readings in the drift window the figures below come from. */
  points: number;
  drift: { perMinute: number; status: DriftStatus };
  stability: { stdDev: number; percent: number; status: StabilityStatus };
  trend: Trend;
  anomalies: Anomaly[];
  /** null until the window has two points at different times. */
  forecast: Forecast | null;
  /** null unless the field is drifting and has a calibration band. */
  maintenance: Maintenance | null;
  /** The profile's stale limit at the time, so freshness can be judged when read. */
  staleAfterMs: number;
}

/** Network-behaviour alerts (topology/behaviour/, seed 001 section 1.3). */
export const BEHAVIOUR_ALERT_TYPES = [
  'TRAFFIC_SPIKE',
  'PROTOCOL_MIX',
  'RECONNECT_BURST',
  'PAYLOAD_ENTROPY',
  'TIMING_ANOMALY',
  'CONNECTION_FLOOD',
  'BEACONING',
] as const;
export type BehaviourAlertType = (typeof BEHAVIOUR_ALERT_TYPES)[number];

export type AlertType = AnomalyType | 'DRIFT' | 'UNSTABLE' | 'UNHEALTHY' | BehaviourAlertType;

/** An alert raised and not yet cleared; kept in the twin state so a replay neither repeats nor loses it. */
export interface OpenAlert {
  /** `<deviceId>:<n>`, n counting the twin's alerts: unique in the fleet, the same on replay. */
  id: string;
  /** The reported field; null for the twin-level UNHEALTHY alert. */
  field: string | null;
  type: AlertType;
  severity: Severity;
  message: string;
  raisedAt: number;
  /** Consecutive readings (of the field; of any field for UNHEALTHY) below the clear threshold. */
  calm: number;
}

export interface TraitsState {
  fields: Record<string, FieldTraitsState>;
  alerts: OpenAlert[];
  /** Alerts raised so far (the next alert's id number). */
  raised: number;
}

/** `data` of the `alert.raised` and `alert.cleared` events on device.events (docs/contract.md). */
export interface AlertEventData {
  id: string;
  field: string | null;
  type: AlertType;
  severity: Severity;
  message: string;
  /** ISO-8601 UTC: the reading time at which it was raised or cleared. */
  at: string;
  [key: string]: string | null;
}

/** The traits of one field as the twin document shows them (its value and time are in `reported` and its metadata). */
export interface FieldTraitsView {
  freshness: { ageMs: number; status: FreshnessStatus };
  drift: { perMinute: number; status: DriftStatus };
  stability: { stdDev: number; percent: number; status: StabilityStatus };
  trend: Trend;
  anomalies: Anomaly[];
  forecast: Forecast | null;
  maintenance: Maintenance | null;
  health: Health;
}

export interface AlertView {
  id: string;
  field: string | null;
  type: AlertType;
  severity: Severity;
  message: string;
  raisedAt: string;
}

/** The `traits` section of the twin document, evaluated at a given time (freshness, health). */
export interface TraitsView {
  /** When freshness was judged (ISO-8601 UTC). */
  evaluatedAt: string;
  health: Health;
  fields: Record<string, FieldTraitsView>;
  alerts: AlertView[];
}
