import type { UplinkRecord } from '../bridge/uplink-record';
import { scenarioRecord } from '../scripts/simulator/scenario-records';
import {
  ABNORMAL_SCENARIOS,
  EXPECTED_ALERT,
  byReceipt,
  SIMULATED_EPOCH_MS,
  scenarioMessages,
  type AbnormalScenario,
  type ScenarioMessage,
  type ScenarioName,
  type ScenarioOptions,
} from '../scripts/simulator/scenarios';
import { DEFAULT_BEHAVIOUR_SETTINGS, type BehaviourSettings } from '../topology/behaviour';
import {
  decodeInput,
  DEFAULT_FOLD_CONFIG,
  foldTwin,
  type FoldConfig,
  type InputKind,
  type StoredTwin,
  type TwinEvent,
} from '../topology/twin';
import { DEFAULT_JSON_LIMITS } from '../shared/safe-json';

/** An alert.raised of a behaviour type, as the fold emitted it. */
export interface RaisedAlert {
  deviceId: string;
  type: string;
  atMs: number;
}

export interface Replay {
  messages: ScenarioMessage[];
  startMs: number;
  raised: RaisedAlert[];
  cleared: RaisedAlert[];
  /** Every behaviour.window event, in fold order. */
  windows: TwinEvent[];
  /** The twins at the end. */
  twins: Map<string, StoredTwin>;
}

/** The fold configuration of a replay: behaviour on with `settings`, traits off. */
export function replayConfig(settings: BehaviourSettings): FoldConfig {
  return { ...DEFAULT_FOLD_CONFIG, traits: false, behaviour: settings };
}

/** Records of a scenario as the bridge writes them (bridge/uplink-record.ts), in send order. */
export function scenarioInputs(messages: readonly ScenarioMessage[], startMs: number) {
  const counts = new Map<string, number>();
  return messages.map((m) => {
    const n = (counts.get(m.deviceId) ?? 0) + 1;
    counts.set(m.deviceId, n);
    return scenarioRecord(m, startMs, n, '');
  });
}

/**
 * A scenario through the real decoder and fold, in process: what the processor computes from the
 * records the bridge would write for it (record time = simulated receive time).
 */
export function replayScenario(
  name: ScenarioName,
  o: ScenarioOptions,
  settings = DEFAULT_BEHAVIOUR_SETTINGS,
  /** The order the records are folded in (default: as received), e.g. a fetch order across topics. */
  order: (records: UplinkRecord[]) => UplinkRecord[] = (records) => records,
): Replay {
  const startMs = SIMULATED_EPOCH_MS;
  const messages = byReceipt(scenarioMessages(name, o));
  const config = replayConfig({ ...settings, windowMs: o.windowMs });
  const twins = new Map<string, StoredTwin>();
  const raised: RaisedAlert[] = [];
  const cleared: RaisedAlert[] = [];
  const windows: TwinEvent[] = [];
  for (const record of order(scenarioInputs(messages, startMs))) {
    const m = record.message;
    const kind: InputKind | undefined = record.kind;
    if (kind === undefined || !Buffer.isBuffer(m.value) || record.errorCode !== undefined)
      throw new Error(`the bridge would refuse scenario record ${String(m.key)}: ${record.errorCode ?? ''}`);
    const key = String(m.key);
    const ts = Number(m.timestamp);
    const input = decodeInput(kind, key, m.value, ts, DEFAULT_JSON_LIMITS, m.headers);
    const result = foldTwin(twins.get(key), input, { nowMs: ts, config });
    if (result.state) twins.set(key, result.state);
    for (const e of result.events) {
      if (e.type === 'behaviour.window') windows.push(e);
      if (e.type === 'alert.raised' && typeof e.data.type === 'string')
        raised.push({ deviceId: e.deviceId, type: e.data.type, atMs: ts - startMs });
      if (e.type === 'alert.cleared' && typeof e.data.type === 'string')
        cleared.push({ deviceId: e.deviceId, type: e.data.type, atMs: ts - startMs });
    }
  }
  return { messages, startMs, raised, cleared, windows, twins };
}

export interface ScenarioQuality {
  episodes: number;
  detected: number;
  recall: number;
  /** Alerts of the expected type inside an episode (+ one window) over all alerts of that type. */
  precision: number | null;
  /** Mean time from an episode's start to its first matching alert (s). */
  delaySeconds: number | null;
  /** Behaviour alerts of any type on devices and times without an episode. */
  falseAlerts: number;
}

/** Precision, recall and delay of one abnormal scenario's expected alert against its labels. */
export function evaluate(scenario: AbnormalScenario, replay: Replay, windowMs: number): ScenarioQuality {
  const episodes = new Map<string, { from: number; to: number }>();
  for (const m of replay.messages) {
    if (m.label !== scenario) continue;
    const e = episodes.get(m.deviceId);
    if (e === undefined) episodes.set(m.deviceId, { from: Math.floor(m.at / windowMs) * windowMs, to: m.at });
    else e.to = Math.max(e.to, m.at);
  }
  const expected = EXPECTED_ALERT[scenario];
  const inEpisode = (a: RaisedAlert): boolean => {
    const e = episodes.get(a.deviceId);
    return e !== undefined && a.atMs >= e.from && a.atMs <= e.to + 2 * windowMs;
  };
  const ofType = replay.raised.filter((a) => a.type === expected);
  const hits = ofType.filter(inEpisode);
  const delays: number[] = [];
  for (const [device, e] of episodes) {
    const first = hits.find((a) => a.deviceId === device);
    if (first) delays.push((first.atMs - e.from) / 1000);
  }
  const n = episodes.size;
  return {
    episodes: n,
    detected: delays.length,
    recall: n === 0 ? 0 : round(delays.length / n),
    precision: ofType.length === 0 ? null : round(hits.length / ofType.length),
    delaySeconds: delays.length === 0 ? null : round(delays.reduce((a, b) => a + b, 0) / delays.length),
    falseAlerts: replay.raised.filter((a) => !inEpisode(a)).length,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export { ABNORMAL_SCENARIOS };
