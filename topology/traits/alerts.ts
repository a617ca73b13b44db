import { DRIFTING, SEVERITY, UNSTABLE } from './evaluation';
import type { Measures } from './field';
import { healthStatus } from './health';
import { fieldSettings } from './profile';
import type {
  AlertEventData,
  AlertType,
  DeviceProfile,
  Evaluation,
  FieldSettings,
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
type FieldAlertType = (typeof FIELD_TYPES)[number];

/**
 * The conditions of one field after a reading, in FIELD_TYPES order. Calm thresholds are the raise
 * ones × `clearRatio`. Only those that hold or have an alert open are given: `judge` does nothing
 * with the others.
 */
export function fieldConditions(
  profile: DeviceProfile,
  field: string,
  e: Evaluation,
  m: Measures,
  open: readonly OpenAlert[],
): Condition[] {
  const out: Condition[] = [];
  let s: ReturnType<typeof fieldSettings> | undefined;
  for (const type of FIELD_TYPES) {
    const found = anomalyOf(e, type);
    const holds =
      type === 'DRIFT'
        ? (e[4] & DRIFTING) !== 0
        : type === 'UNSTABLE'
          ? (e[4] & UNSTABLE) !== 0
          : found !== undefined;
    if (!holds && !open.some((a) => a.field === field && a.type === type)) continue;
    s ??= fieldSettings(profile, field);
    out.push(condition(type, holds, calmOf(type, s, profile.hysteresis.clearRatio, m), e, found));
  }
  return out;
}

function anomalyOf(e: Evaluation, type: FieldAlertType): string | undefined {
  for (const [t, message] of e[5]) if (t === type) return message;
  return undefined;
}

function calmOf(type: FieldAlertType, s: FieldSettings, r: number, m: Measures): boolean {
  switch (type) {
    case 'SPIKE':
      return m.z === null || m.z < r * s.spikeK;
    case 'STUCK':
      return m.run < r * s.stuckN;
    case 'RAPID_CHANGE':
      return Math.abs(m.rapidPerMinute) < r * s.rapidPerMinute;
    case 'DRIFT':
      return Math.abs(m.driftPerMinute) < r * s.driftPerMinute;
    case 'UNSTABLE': {
      const unstableAt = s.stabilityScale * (1 - s.minStabilityPercent / 100);
      return m.stdDev < r * unstableAt || unstableAt <= 0;
    }
  }
}

function condition(
  type: FieldAlertType,
  holds: boolean,
  calm: boolean,
  e: Evaluation,
  found: string | undefined,
): Condition {
  switch (type) {
    case 'DRIFT':
      return { type, holds, calm, severity: 'MEDIUM', message: () => `Drift detected: ${e[1]}/min` };
    case 'UNSTABLE':
      return {
        type,
        holds,
        calm,
        severity: 'LOW',
        message: () => `Unstable (std_dev: ${e[2]}, stability ${e[3]}%)`,
      };
    default:
      return {
        type,
        holds,
        calm,
        severity: found === undefined ? 'MEDIUM' : SEVERITY[type],
        message: () => found ?? '',
      };
  }
}

/**
 * The twin-level condition: fold-time health (score `score`) not HEALTHY; calm once the score is
 * clearly back above 80. `health` (with the issues) is only asked for when an alert is raised.
 */
export function healthCondition(profile: DeviceProfile, score: number, health: () => Health): Condition {
  const calmAbove = 80 + (1 - profile.hysteresis.clearRatio) * 20;
  const status = healthStatus(score);
  return {
    type: 'UNHEALTHY',
    holds: status !== 'HEALTHY',
    calm: score >= calmAbove,
    severity: status === 'FAILED' ? 'HIGH' : 'MEDIUM',
    message: () => {
      const h = health();
      return `Health ${h.status} (score ${h.score}): ${h.issues.join('; ')}`;
    },
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
