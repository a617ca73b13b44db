import type { DeviceKind } from '../../shared/inputs';
import type { JsonObject } from '../../shared/json';
import { between, pick, seededRandom, type Random } from './random';

/**
 * Named, seeded network-behaviour scenarios (seed 001 sections 1.2–1.4): a normal baseline and one
 * per abnormal behaviour of section 1.3. A scenario is a list of timed device messages, in
 * simulated time (ms from the start), each with the ground-truth label of its episode (null when
 * normal). The same name, seed and sizes give the same list, so a dataset can be made twice.
 */
export const ABNORMAL_SCENARIOS = [
  'traffic_spike',
  'protocol_mix',
  'reconnect_burst',
  'payload_entropy',
  'timing_anomaly',
  'connection_flood',
  'beaconing',
] as const;
export type AbnormalScenario = (typeof ABNORMAL_SCENARIOS)[number];
export const SCENARIOS = ['normal', 'mixed', ...ABNORMAL_SCENARIOS] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The alert each abnormal behaviour should raise (topology/behaviour/detect.ts). */
export const EXPECTED_ALERT: Record<AbnormalScenario, string> = {
  traffic_spike: 'TRAFFIC_SPIKE',
  protocol_mix: 'PROTOCOL_MIX',
  reconnect_burst: 'RECONNECT_BURST',
  payload_entropy: 'PAYLOAD_ENTROPY',
  timing_anomaly: 'TIMING_ANOMALY',
  connection_flood: 'CONNECTION_FLOOD',
  beaconing: 'BEACONING',
};

/** Where simulated time 0 lies (epoch ms) when a scenario is replayed or written as a dataset. */
export const SIMULATED_EPOCH_MS = Date.UTC(2026, 0, 1);

export interface ScenarioMessage {
  /** Simulated send time, ms from the start. */
  at: number;
  /** Network latency (ms): a bridge would receive it at `at + latency`. */
  latency: number;
  deviceId: string;
  kind: DeviceKind;
  payload: JsonObject | 'online' | 'offline';
  qos: 0 | 1;
  retain: boolean;
  /** The device's own clock when it sent it (ms from the start): `at`, unless the clock lags. */
  deviceAt: number;
  label: AbnormalScenario | null;
}

export interface ScenarioOptions {
  seed: number;
  devices: number;
  /** Simulated length. */
  durationMs: number;
  /** The behaviour window the scenario is shaped for (normal devices send 6–12 messages a window). */
  windowMs: number;
  /** Device ids are PREFIX0001, ... */
  idPrefix?: string;
  /** Normal windows before an episode may start (the detector's warm-up). Default 8. */
  warmupWindows?: number;
  /** Windows an episode lasts. Default 3. */
  episodeWindows?: number;
  /** The share of devices with one abnormal episode: default 0.3 for mixed, 1 for one behaviour. */
  abnormalShare?: number;
}

interface Episode {
  kind: AbnormalScenario;
  from: number;
  to: number;
}

/** Every message of a scenario, in send order (ties by device id; see `byReceipt`). */
export function scenarioMessages(name: ScenarioName, o: ScenarioOptions): ScenarioMessage[] {
  const random = seededRandom(o.seed);
  const out: ScenarioMessage[] = [];
  const prefix = o.idPrefix ?? 'sim-';
  for (let i = 0; i < o.devices; i++) {
    const deviceId = `${prefix}${String(i + 1).padStart(4, '0')}`;
    const deviceRandom = seededRandom(Math.floor(random() * 2 ** 32));
    const episode = episodeOf(name, o, deviceRandom);
    deviceMessages(deviceId, episode, o, deviceRandom, out);
  }
  return out.sort((a, b) => a.at - b.at || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

function episodeOf(name: ScenarioName, o: ScenarioOptions, random: Random): Episode | undefined {
  const warm = (o.warmupWindows ?? 8) * o.windowMs;
  const length = (o.episodeWindows ?? 3) * o.windowMs;
  if (name === 'normal') return undefined;
  const abnormal = random() < (o.abnormalShare ?? (name === 'mixed' ? 0.3 : 1));
  const kind = !abnormal ? undefined : name === 'mixed' ? pick(random, ABNORMAL_SCENARIOS) : name;
  if (kind === undefined || o.durationMs < warm + length) return undefined;
  // Episodes start on a window boundary, so every window is wholly normal or wholly abnormal.
  const slots = Math.floor((o.durationMs - warm - length) / o.windowMs);
  const from = warm + Math.floor(random() * (slots + 1)) * o.windowMs;
  return { kind, from, to: from + length };
}

function deviceMessages(
  deviceId: string,
  episode: Episode | undefined,
  o: ScenarioOptions,
  random: Random,
  out: ScenarioMessage[],
): void {
  const w = o.windowMs;
  const meanGap = between(random, w / 12, w / 6);
  const push = (m: Omit<ScenarioMessage, 'deviceId'>): void => void out.push({ deviceId, ...m });
  const status = (at: number, word: 'online' | 'offline', label: AbnormalScenario | null): void =>
    push({ at, latency: 30, kind: 'status', payload: word, qos: 1, retain: true, deviceAt: at, label });
  status(Math.floor(random() * meanGap), 'online', null);
  let t = Math.floor(random() * meanGap) + 1;
  let seq = 0;
  while (t < o.durationMs) {
    const e = episode !== undefined && t >= episode.from && t < episode.to ? episode : undefined;
    seq += 1;
    push(normalOrAbnormal(t, seq, e, random));
    let gap = -Math.log(1 - random()) * meanGap;
    if (e?.kind === 'traffic_spike') gap /= 15;
    if (e?.kind === 'beaconing') gap = w / 10;
    t += Math.max(1, Math.round(gap));
  }
  if (episode === undefined) return;
  const extra = episode.kind === 'reconnect_burst' ? 5 : episode.kind === 'connection_flood' ? 15 : 0;
  for (let win = episode.from; win < episode.to; win += w) {
    for (let j = 0; j < extra; j++) {
      const at = win + Math.floor(((j + random()) * w) / (extra + 1));
      status(at, 'online', episode.kind);
      if (episode.kind === 'reconnect_burst')
        status(at + Math.floor(w / (2 * (extra + 1))), 'offline', episode.kind);
    }
  }
}

/** One scheduled message: telemetry (or, in a protocol-mix episode, something else) at `t`. */
function normalOrAbnormal(
  t: number,
  seq: number,
  e: Episode | undefined,
  random: Random,
): Omit<ScenarioMessage, 'deviceId'> {
  const latency = Math.round(between(random, 20, 80));
  // A timing anomaly: messages held back for seconds (their device times lag the network's).
  const deviceAt = e?.kind === 'timing_anomaly' ? Math.round(t - between(random, 3000, 9000)) : t;
  const label = e?.kind ?? null;
  const data: JsonObject = {
    temperature: Math.round(between(random, 18, 28) * 10) / 10,
    humidity: Math.round(between(random, 40, 70) * 10) / 10,
    seq,
  };
  if (e?.kind === 'payload_entropy') data.blob = 'x'.repeat(Math.floor(random() * 1000));
  if (e?.kind === 'protocol_mix') {
    // Acks are left out: an ack of an unknown command is ignored by the fold, behaviour and all.
    const kind = pick(random, ['state', 'error'] as const);
    const payload: JsonObject =
      kind === 'state' ? { reported: data } : { error_code: 'E9', message: 'probe' };
    return { at: t, latency, kind, payload, qos: 0, retain: kind === 'state', deviceAt, label };
  }
  const roll = random();
  const kind: DeviceKind = roll < 0.05 ? 'state' : 'telemetry';
  const payload: JsonObject = kind === 'state' ? { reported: data } : { data };
  return { at: t, latency, kind, payload, qos: 1, retain: false, deviceAt, label };
}

/** The messages in the order a bridge receives them (`at + latency`; ties by device id, then send order). */
export function byReceipt(messages: readonly ScenarioMessage[]): ScenarioMessage[] {
  return messages
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.at + a.m.latency - (b.m.at + b.m.latency) || a.i - b.i)
    .map((x) => x.m);
}

/**
 * One `offline` status per device at `atMs` (ms from the start, a window boundary after every
 * message): the device leaves, and its last window closes (a dataset needs every window closed).
 */
export function closingMessages(messages: readonly ScenarioMessage[], atMs: number): ScenarioMessage[] {
  const devices = [...new Set(messages.map((m) => m.deviceId))].sort();
  return devices.map((deviceId) => ({
    at: atMs,
    latency: 0,
    deviceId,
    kind: 'status',
    payload: 'offline',
    qos: 1,
    retain: true,
    deviceAt: atMs,
    label: null,
  }));
}
