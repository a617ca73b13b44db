import { Channel, type AnomalyKind, type ChannelSpec } from '../scripts/simulator/channel';
import { DEVICE_TYPES } from '../scripts/simulator/device';
import { seededRandom, type Random } from '../scripts/simulator/random';
import { DEFAULT_PROFILE, type DeviceProfile } from '../topology/traits';
import { DEFAULT_FOLD_CONFIG, foldTwin, type FoldConfig, type TwinState } from '../topology/twin';
import { quantile } from './stats';

/**
 * Detection quality of the traits' alerts against the simulator's ground truth: devices of every
 * simulated type read every `everyMs`, their channels inject spikes, stuck runs and drifts
 * (scripts/simulator/channel.ts labels each reading with the anomaly that shaped it), and the real
 * fold turns the readings into alert.raised events.
 */
export interface DetectionRun {
  devices: number;
  hours: number;
  everyMs: number;
  anomalyRate: number;
  seed: number;
}

/** What detects each injected kind. */
export const DETECTING: Record<AnomalyKind, readonly string[]> = {
  spike: ['SPIKE'],
  stuck: ['STUCK'],
  drift: ['DRIFT', 'RAPID_CHANGE'],
};
/** An alert up to this long after an episode's last reading still counts as detecting it. */
export const GRACE_MS = 60_000;

export interface KindQuality {
  episodes: number;
  recall: number;
  /** Alerts of the detecting types outside every injected episode (+ grace) of their field. */
  falseAlarmsPer1000DeviceHours: number;
  delayP50Seconds: number | null;
  delayP95Seconds: number | null;
}

export interface DetectionResult {
  perKind: Record<AnomalyKind, KindQuality>;
  /** Raised alerts per 1000 device-hours of the types no injection maps to (UNSTABLE, UNHEALTHY). */
  otherAlertsPer1000DeviceHours: Record<string, number>;
  readings: number;
}

export interface Episode {
  device: string;
  field: string;
  kind: AnomalyKind;
  start: number;
  end: number;
}

interface Raised {
  device: string;
  field: string | null;
  type: string;
  at: number;
}

const T0 = Date.UTC(2026, 0, 1);

/** Simulates, folds and scores one run with `profileFor`. */
export function measureDetection(
  run: DetectionRun,
  profileFor: (type: string) => DeviceProfile,
): DetectionResult {
  const random = seededRandom(run.seed);
  const types = Object.keys(DEVICE_TYPES);
  const config: FoldConfig = { ...DEFAULT_FOLD_CONFIG, traits: true, profileFor };
  const episodes: Episode[] = [];
  const raised: Raised[] = [];
  const steps = Math.round((run.hours * 3_600_000) / run.everyMs);
  let readings = 0;
  for (let d = 0; d < run.devices; d++) {
    const device = `dev-${d}`;
    const type = types[d % types.length]!;
    const profile = profileFor(type);
    // A field the profile ignores (a counter) has no traits: its injections are not scored.
    const scored = (field: string): boolean => profile.fields[field]?.ignore !== true;
    const series = simulateReadings({ device, type, steps, everyMs: run.everyMs, t0: T0 }, random, {
      anomalyRate: run.anomalyRate,
      scored,
    });
    episodes.push(...series.episodes);
    let state: TwinState | undefined = {
      ...emptyTwin(device, type, T0),
    };
    for (const { t, values } of series.readings) {
      const result = foldTwin(
        state,
        { kind: 'telemetry', deviceId: device, timestampMs: t, readings: values },
        { nowMs: t, config },
      );
      if (result.state) state = result.state;
      for (const e of result.events) {
        if (e.type !== 'alert.raised') continue;
        raised.push({
          device,
          field: e.data.field as string | null,
          type: String(e.data.type),
          at: Date.parse(String(e.data.at)),
        });
      }
      readings += 1;
    }
  }
  return { ...score(episodes, raised, run.devices * run.hours), readings };
}

export interface SimulatedSeries {
  /** One reading of every channel per step, `everyMs` apart from `t0`. */
  readings: { t: number; values: Record<string, number> }[];
  /** The anomalies the channels injected (ground truth), per field, in the scored fields. */
  episodes: Episode[];
}

/**
 * One simulated device of `type` for `steps` readings: the simulator's own channels (random walks
 * with spikes, stuck runs and drifts at `anomalyRate`) and the episodes they injected. Draws from
 * `random` in a fixed order, so a seed gives the same series.
 */
export function simulateReadings(
  at: { device: string; type: string; steps: number; everyMs: number; t0: number },
  random: Random,
  { anomalyRate, scored }: { anomalyRate: number; scored: (field: string) => boolean },
): SimulatedSeries {
  const channels = Object.entries(DEVICE_TYPES[at.type] ?? {}).map(([name, spec]) => ({
    name,
    channel: new Channel(spec, random),
    open: undefined as Episode | undefined,
  }));
  const out: SimulatedSeries = { readings: [], episodes: [] };
  for (let i = 0; i < at.steps; i++) {
    const t = at.t0 + i * at.everyMs;
    const values: Record<string, number> = {};
    for (const c of channels) {
      const r = c.channel.next(random, anomalyRate);
      values[c.name] = r.value;
      if (
        c.open !== undefined &&
        (r.anomaly !== c.open.kind || r.started !== undefined || c.open.kind === 'spike')
      )
        c.open = undefined;
      if (r.anomaly !== undefined && scored(c.name)) {
        if (c.open === undefined) {
          c.open = { device: at.device, field: c.name, kind: r.anomaly, start: t, end: t };
          out.episodes.push(c.open);
        } else c.open.end = t;
      }
    }
    out.readings.push({ t, values });
  }
  return out;
}

function emptyTwin(id: string, type: string, t: number): TwinState {
  return {
    id,
    type,
    lifecycle: 'active',
    connection: { status: 'online', since: t, lastSeen: t },
    reported: {},
    desired: {},
    metadata: { reported: {}, desired: {} },
    attributes: {},
    version: 1,
    stateVersion: null,
    commands: [],
    lastError: null,
    createdAt: t,
    updatedAt: t,
  };
}

function score(
  episodes: Episode[],
  raised: Raised[],
  deviceHours: number,
): Omit<DetectionResult, 'readings'> {
  const byField = new Map<string, Episode[]>();
  for (const e of episodes) {
    const key = `${e.device}/${e.field}`;
    byField.set(key, [...(byField.get(key) ?? []), e]);
  }
  const per1000 = (n: number): number => Math.round((n / deviceHours) * 1000 * 10) / 10;
  const inside = (a: Raised, e: Episode): boolean => a.at >= e.start && a.at <= e.end + GRACE_MS;
  const perKind = {} as Record<AnomalyKind, KindQuality>;
  for (const kind of Object.keys(DETECTING) as AnomalyKind[]) {
    const types = DETECTING[kind];
    const mine = episodes.filter((e) => e.kind === kind);
    const delays: number[] = [];
    for (const e of mine) {
      const hit = raised.find(
        (a) => a.device === e.device && a.field === e.field && types.includes(a.type) && inside(a, e),
      );
      if (hit) delays.push((hit.at - e.start) / 1000);
    }
    const falseAlarms = raised.filter(
      (a) =>
        types.includes(a.type) && !(byField.get(`${a.device}/${a.field}`) ?? []).some((e) => inside(a, e)),
    ).length;
    delays.sort((a, b) => a - b);
    perKind[kind] = {
      episodes: mine.length,
      recall: mine.length === 0 ? 0 : Math.round((delays.length / mine.length) * 1000) / 1000,
      falseAlarmsPer1000DeviceHours: per1000(falseAlarms),
      delayP50Seconds: quantile(delays, 0.5),
      delayP95Seconds: quantile(delays, 0.95),
    };
  }
  const mapped = new Set(Object.values(DETECTING).flat());
  const other: Record<string, number> = {};
  for (const a of raised) if (!mapped.has(a.type)) other[a.type] = (other[a.type] ?? 0) + 1;
  for (const k of Object.keys(other)) other[k] = per1000(other[k]!);
  return { perKind, otherAlertsPer1000DeviceHours: other };
}

/**
 * The per-type profiles an operator of this fleet would set: each field's thresholds scaled to its
 * channel's step (the largest move of one reading), and counters (monotonic channels) ignored.
 */
export function simulatorProfiles(everyMs: number): Map<string, DeviceProfile> {
  const perMinute = 60_000 / everyMs;
  const out = new Map<string, DeviceProfile>();
  for (const [type, channels] of Object.entries(DEVICE_TYPES)) {
    const fields: DeviceProfile['fields'] = {};
    for (const [name, spec] of Object.entries(channels)) fields[name] = fieldProfile(spec, perMinute);
    const windows = { driftMs: 2 * 60_000, rapidMs: 60_000 };
    out.set(type, { ...DEFAULT_PROFILE, spikeK: 4, stuckN: 8, windows, fields });
  }
  return out;
}

/**
 * Thresholds in multiples of the channel's step per reading: the simulator's drifts move 0.5 step
 * per reading on top of a random walk, so the slopes that tell them from the walk's own wander sit
 * near one step per reading (picked by measuring a few multiples with this benchmark).
 */
function fieldProfile(spec: ChannelSpec, perMinute: number): DeviceProfile['fields'][string] {
  if (spec.monotonic === true) return { ignore: true };
  return {
    driftPerMinute: 1.0 * spec.step * perMinute,
    trendPerMinute: 0.05 * spec.step * perMinute,
    rapidPerMinute: 0.8 * spec.step * perMinute,
    stabilityScale: 25 * spec.step,
  };
}
