import type { Anomaly, AnomalyType, FieldEvaluation, Health, HealthStatus } from './types';

/**
 * Seed 003 Query 2's scoring: from 100, −20 unstable, −20 drifting, −30 stale; and for the
 * anomalies in progress −30 stuck, −10 spike, −10 rapid change. HEALTHY above 80, DEGRADED
 * above 50, FAILED otherwise.
 */
const ANOMALY_PENALTY: Record<AnomalyType, number> = { STUCK: 30, SPIKE: 10, RAPID_CHANGE: 10 };

type Judged = Pick<FieldEvaluation, 'drift' | 'stability' | 'anomalies'>;

/** A field's health; `staleAgeMs` is the age of a stale reading, undefined when fresh or unjudged. */
export function fieldHealth(e: Judged, staleAgeMs: number | undefined): Health {
  let score = 100;
  const issues: string[] = [];
  if (e.stability.status === 'UNSTABLE') {
    score -= 20;
    issues.push(`Unstable (std_dev: ${e.stability.stdDev})`);
  }
  if (e.drift.status === 'DRIFTING') {
    score -= 20;
    issues.push(`Drifting (${e.drift.perMinute}/min)`);
  }
  if (staleAgeMs !== undefined) {
    score -= 30;
    issues.push(`Stale (${Math.round(staleAgeMs / 1000)}s old)`);
  }
  for (const a of e.anomalies as readonly Anomaly[]) {
    score -= ANOMALY_PENALTY[a.type];
    issues.push(a.message);
  }
  score = Math.max(0, score);
  return { score, status: healthStatus(score), issues };
}

export function healthStatus(score: number): HealthStatus {
  return score > 80 ? 'HEALTHY' : score > 50 ? 'DEGRADED' : 'FAILED';
}

/** A twin's health: its worst field's score, with every field's issues prefixed by the field. */
export function twinHealth(fields: ReadonlyArray<readonly [string, Health]>): Health {
  let score = 100;
  const issues: string[] = [];
  for (const [name, h] of fields) {
    score = Math.min(score, h.score);
    for (const issue of h.issues) issues.push(`${name}: ${issue}`);
  }
  return { score, status: healthStatus(score), issues };
}
