import { DRIFTING, UNSTABLE } from './evaluation';
import type { AnomalyType, Evaluation, Health, HealthStatus } from './types';

/**
 * Seed 003 Query 2's scoring: from 100, −20 unstable, −20 drifting, −30 stale; and for the
 * anomalies in progress −30 stuck, −10 spike, −10 rapid change. HEALTHY above 80, DEGRADED
 * above 50, FAILED otherwise.
 */
const ANOMALY_PENALTY: Record<AnomalyType, number> = { STUCK: 30, SPIKE: 10, RAPID_CHANGE: 10 };

/** A field's score alone (what the fold judges UNHEALTHY on): `fieldHealth`'s without its issues. */
export function fieldScore(e: Evaluation, stale: boolean): number {
  let score = 100;
  if ((e[4] & UNSTABLE) !== 0) score -= 20;
  if ((e[4] & DRIFTING) !== 0) score -= 20;
  if (stale) score -= 30;
  for (const [type] of e[5]) score -= ANOMALY_PENALTY[type];
  return Math.max(0, score);
}

/** A field's health; `staleAgeMs` is the age of a stale reading, undefined when fresh or unjudged. */
export function fieldHealth(e: Evaluation, staleAgeMs: number | undefined): Health {
  const issues: string[] = [];
  if ((e[4] & UNSTABLE) !== 0) issues.push(`Unstable (std_dev: ${e[2]})`);
  if ((e[4] & DRIFTING) !== 0) issues.push(`Drifting (${e[1]}/min)`);
  if (staleAgeMs !== undefined) issues.push(`Stale (${Math.round(staleAgeMs / 1000)}s old)`);
  for (const [, message] of e[5]) issues.push(message);
  const score = fieldScore(e, staleAgeMs !== undefined);
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
