import { evaluate, replayScenario } from '../../../bench/behaviour-detection';
import type { UplinkRecord } from '../../../bridge/uplink-record';
import { ABNORMAL_SCENARIOS, EXPECTED_ALERT, scenarioMessages } from '../../../scripts/simulator/scenarios';
import { entropyBits } from '../../../topology/behaviour';

const W = 1000;
const small = { seed: 3, devices: 3, durationMs: 16 * W, windowMs: W };

describe('behaviour detection over the simulator scenarios (pure fold)', () => {
  it.each(ABNORMAL_SCENARIOS)('%s raises its alert on every device, inside the episode', (scenario) => {
    const replay = replayScenario(scenario, small);
    const q = evaluate(scenario, replay, W);
    expect(q.episodes).toBe(3);
    expect(q.detected).toBe(3);
    expect(q.precision).toBe(1);
    const expected = EXPECTED_ALERT[scenario];
    expect(replay.raised.filter((a) => a.type === expected).length).toBeGreaterThanOrEqual(3);
  });

  it('raises nothing on normal traffic, and clears an alert once the episode is over', () => {
    expect(replayScenario('normal', { ...small, devices: 10, durationMs: 30 * W }).raised).toEqual([]);
    const replay = replayScenario('traffic_spike', { ...small, devices: 6, durationMs: 24 * W });
    // Spikes raised at least 6 windows before the end (3 episode windows, 3 calm ones) are cleared.
    const early = replay.raised.filter((a) => a.type === 'TRAFFIC_SPIKE' && a.atMs < 18 * W);
    expect(early.length).toBeGreaterThan(0);
    for (const a of early) {
      const c = replay.cleared.find((x) => x.deviceId === a.deviceId && x.type === 'TRAFFIC_SPIKE');
      expect(c?.atMs).toBeGreaterThan(a.atMs + 2 * W);
    }
  });

  it('is deterministic: the same seed folds the same windows, another seed others', () => {
    const a = replayScenario('mixed', { ...small, devices: 6 });
    const b = replayScenario('mixed', { ...small, devices: 6 });
    expect(JSON.stringify(b.windows)).toBe(JSON.stringify(a.windows));
    const c = replayScenario('mixed', { ...small, devices: 6, seed: 4 });
    expect(JSON.stringify(c.windows)).not.toBe(JSON.stringify(a.windows));
  });

  it("folds the same windows whatever order the processor fetches a window's topics in", () => {
    // Like a fetch order: within each window (by receive time), whole topics one after another,
    // in reverse topic order; Kafka keeps only each topic's own order.
    const byTopicWithinWindow = (records: UplinkRecord[]): UplinkRecord[] =>
      records
        .map((r, i) => ({ r, i, w: Math.floor(Number(r.message.timestamp) / W) }))
        .sort((a, b) => a.w - b.w || (a.r.topic < b.r.topic ? 1 : a.r.topic > b.r.topic ? -1 : a.i - b.i))
        .map((x) => x.r);
    for (const scenario of ['mixed', 'reconnect_burst', 'protocol_mix', 'beaconing'] as const) {
      const options = { ...small, devices: 6, seed: 5 };
      const received = replayScenario(scenario, options);
      const fetched = replayScenario(scenario, options, undefined, byTopicWithinWindow);
      expect(fetched.windows.length).toBeGreaterThan(6 * 10);
      const rows = (r: typeof received) =>
        r.windows.map((e) => JSON.stringify({ deviceId: e.deviceId, ...e.data })).sort();
      expect(rows(fetched)).toEqual(rows(received));
      const alerts = (r: typeof received) => r.raised.map((a) => `${a.deviceId} ${a.type}`).sort();
      expect(alerts(fetched)).toEqual(alerts(received));
    }
  });

  it('labels exactly the messages of an episode, whole windows', () => {
    const messages = scenarioMessages('beaconing', small);
    const labelled = messages.filter((m) => m.label !== null);
    expect(labelled.length).toBeGreaterThan(0);
    for (const m of labelled) expect(m.at).toBeGreaterThanOrEqual(8 * W);
    const rows = replayScenario('beaconing', small).windows.filter((e) => e.data.label === 'beaconing');
    expect(rows.length).toBeGreaterThanOrEqual(3 * 2);
  });
});

describe('entropyBits', () => {
  it('is 0 for one size and log2(n) for n equally common sizes', () => {
    expect(entropyBits([5, 0, 0])).toBe(0);
    expect(entropyBits([1, 1, 1, 1])).toBe(2);
    expect(entropyBits([])).toBe(0);
  });
});
