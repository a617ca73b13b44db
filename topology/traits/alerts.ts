import type { Measures } from './field';
import { fieldSettings } from './profile';
import type {
  AlertEventData,
  AlertType,
  DeviceProfile,
  FieldEvaluation,
  Health,
  OpenAlert,
  Severity,
} from './types';

/** An alert raised or cleared by one input; the fold publishes it as `alert.raised` / `alert.cleared`. */
export interface AlertTransition {
  kind: 'raised' | 'cleared';
  data: AlertEventData;
}

/** The alerts of a twin while one input is folded; `raised` counts ids. */
export interface AlertBook {
  open: OpenAlert[];
  raised: number;
  transitions: AlertTransition[];
}

/**
 * A condition: whether it holds now (raise) and whether it is clearly over (calm, the hysteresis).
 * The message is only written when an alert is raised.
 */
export interface Condition {
  type: AlertType;
  holds: boolean;
  calm: boolean;
  severity: Severity;
  message: () => string;
}

const FIELD_TYPES = ['SPIKE', 'STUCK', 'RAPID_CHANGE', 'DRIFT', 'UNSTABLE'] as const;

/** The conditions of one field after a reading. Calm thresholds are the raise ones × `clearRatio`. */
export function fieldConditions(
  profile: DeviceProfile,
  field: string,
  e: FieldEvaluation,
  m: Measures,
): Condition[] {
  const s = fieldSettings(profile, field);
  const r = profile.hysteresis.clearRatio;
  const anomaly = (type: AlertType): Condition => {
    const found = e.anomalies.find((a) => a.type === type);
    return {
      type,
      holds: found !== undefined,
      calm: false,
      severity: found?.severity ?? 'MEDIUM',
      message: () => found?.message ?? '',
    };
  };
  const unstableAt = s.stabilityScale * (1 - s.minStabilityPercent / 100);
  const out: Record<(typeof FIELD_TYPES)[number], Condition> = {
    SPIKE: { ...anomaly('SPIKE'), calm: m.z === null || m.z < r * s.spikeK },
    STUCK: { ...anomaly('STUCK'), calm: m.run < r * s.stuckN },
    RAPID_CHANGE: { ...anomaly('RAPID_CHANGE'), calm: Math.abs(m.rapidPerMinute) < r * s.rapidPerMinute },
    DRIFT: {
      type: 'DRIFT',
      holds: e.drift.status === 'DRIFTING',
      calm: Math.abs(m.driftPerMinute) < r * s.driftPerMinute,
      severity: 'MEDIUM',
      message: () => `Drift detected: ${e.drift.perMinute}/min`,
    },
    UNSTABLE: {
      type: 'UNSTABLE',
      holds: e.stability.status === 'UNSTABLE',
      calm: m.stdDev < r * unstableAt || unstableAt <= 0,
      severity: 'LOW',
      message: () => `Unstable (std_dev: ${e.stability.stdDev}, stability ${e.stability.percent}%)`,
    },
  };
  return FIELD_TYPES.map((type) => out[type]);
}

/** The twin-level condition: health not HEALTHY; calm once the score is clearly back above 80. */
export function healthCondition(profile: DeviceProfile, health: Health): Condition {
  const calmAbove = 80 + (1 - profile.hysteresis.clearRatio) * 20;
  return {
    type: 'UNHEALTHY',
    holds: health.status !== 'HEALTHY',
    calm: health.score >= calmAbove,
    severity: health.status === 'FAILED' ? 'HIGH' : 'MEDIUM',
    message: () => `Health ${health.status} (score ${health.score}): ${health.issues.join('; ')}`,
  };
}

/**
 * Raise once, clear once: a condition that holds with no open alert of its kind opens one; an
 * open alert counts the consecutive calm judgements and clears at `clearAfter`; anything not calm
 * resets the count. Nothing happens twice for one episode.
 */
export function judge(
  book: AlertBook,
  deviceId: string,
  field: string | null,
  conditions: readonly Condition[],
  t: number,
  profile: DeviceProfile,
): void {
  for (const c of conditions) {
    const index = book.open.findIndex((a) => a.field === field && a.type === c.type);
    if (index < 0) {
      if (!c.holds) continue;
      book.raised += 1;
      const alert: OpenAlert = {
        id: `${deviceId}:${book.raised}`,
        field,
        type: c.type,
        severity: c.severity,
        message: c.message(),
        raisedAt: t,
        calm: 0,
      };
      book.open = [...book.open, alert];
      book.transitions.push({ kind: 'raised', data: eventData(alert, t) });
      continue;
    }
    const alert = book.open[index]!;
    const calm = c.calm ? alert.calm + 1 : 0;
    if (calm >= profile.hysteresis.clearAfter) {
      clearAt(book, index, t);
    } else if (calm !== alert.calm) {
      book.open = book.open.map((a, i) => (i === index ? { ...a, calm } : a));
    }
  }
}

/** Clears the open alert at `index` (its field is gone, or its condition is over). */
export function clearAt(book: AlertBook, index: number, t: number): void {
  const alert = book.open[index]!;
  book.open = book.open.filter((_, i) => i !== index);
  book.transitions.push({ kind: 'cleared', data: eventData(alert, t) });
}

function eventData(a: OpenAlert, t: number): AlertEventData {
  return {
    id: a.id,
    field: a.field,
    type: a.type,
    severity: a.severity,
    message: a.message,
    at: new Date(t).toISOString(),
  };
}
