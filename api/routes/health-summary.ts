import { behaviourView } from '../../topology/behaviour';
import { traitsView, type AlertView, type Health } from '../../topology/traits';
import type { TwinState } from '../../topology/twin';
import { HEALTH_FILTERS, type HealthFilter } from '../twin-filter';

/** `GET /health`: the fleet by health status, and its worst twins, judged when asked. */
export interface FleetHealth {
  evaluatedAt: string;
  total: number;
  counts: Record<HealthFilter, number>;
  /** Lowest score first (then by id); twins without traits are not ranked. */
  worst: WorstTwin[];
  /** Set only on one instance's local answer, which another instance merges. */
  partitions?: number[];
}

export interface WorstTwin extends Health {
  id: string;
  type: string;
}

/** `GET /alerts?active=true`: the open alerts of the fleet. */
export interface AlertList {
  count: number;
  /** Newest first (then by id). */
  alerts: FleetAlert[];
  partitions?: number[];
}

export interface FleetAlert extends AlertView {
  twinId: string;
  twinType: string;
}

/** Folds twins into a health summary, one at a time (a scan of a store). */
export class HealthTally {
  private readonly counts = Object.fromEntries(HEALTH_FILTERS.map((s) => [s, 0])) as Record<
    HealthFilter,
    number
  >;
  private total = 0;
  private worst: WorstTwin[] = [];

  constructor(
    private readonly nowMs: number,
    private readonly keep: number,
  ) {}

  add(twin: TwinState): void {
    this.total += 1;
    if (twin.traits === undefined) {
      this.counts.UNKNOWN += 1;
      return;
    }
    const health = traitsView(twin.traits, this.nowMs).health;
    this.counts[health.status] += 1;
    this.worst.push({ id: twin.id, type: twin.type, ...health });
    if (this.worst.length > 2 * this.keep + 64) this.worst = rankWorst(this.worst, this.keep);
  }

  result(): FleetHealth {
    const evaluatedAt = new Date(this.nowMs).toISOString();
    return { evaluatedAt, total: this.total, counts: this.counts, worst: rankWorst(this.worst, this.keep) };
  }
}

function rankWorst(twins: WorstTwin[], keep: number): WorstTwin[] {
  return [...twins].sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1)).slice(0, keep);
}

/** The instances' summaries as one (their partitions already checked). */
export function mergeHealth(answers: readonly FleetHealth[], keep: number, nowMs: number): FleetHealth {
  const counts = Object.fromEntries(HEALTH_FILTERS.map((s) => [s, 0])) as Record<HealthFilter, number>;
  for (const a of answers) for (const s of HEALTH_FILTERS) counts[s] += a.counts[s] ?? 0;
  return {
    evaluatedAt: new Date(nowMs).toISOString(),
    total: answers.reduce((n, a) => n + a.total, 0),
    counts,
    worst: rankWorst(
      answers.flatMap((a) => a.worst),
      keep,
    ),
  };
}

/** The open alerts of a twin (its traits' and its network behaviour's), as the fleet list shows them. */
export function openAlertsOf(twin: TwinState): FleetAlert[] {
  const alerts = [
    ...(twin.traits === undefined ? [] : traitsView(twin.traits, twin.updatedAt).alerts),
    ...(twin.behaviour === undefined ? [] : behaviourView(twin.behaviour).alerts),
  ];
  return alerts.map((a) => ({ twinId: twin.id, twinType: twin.type, ...a }));
}

/** Newest first (then by alert id), at most `limit`. */
export function mergeAlerts(lists: readonly FleetAlert[][], limit: number): AlertList {
  const alerts = lists
    .flat()
    .sort((a, b) => (a.raisedAt === b.raisedAt ? (a.id < b.id ? -1 : 1) : a.raisedAt < b.raisedAt ? 1 : -1))
    .slice(0, limit);
  return { count: alerts.length, alerts };
}
