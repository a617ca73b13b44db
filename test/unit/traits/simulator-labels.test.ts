import { Channel, type AnomalyKind } from '../../../scripts/simulator/channel';
import { seeded } from './series';

/** Runs of equal labels: [kind, length] in order (undefined: normal readings). */
function episodes(labels: (AnomalyKind | undefined)[]): [AnomalyKind, number][] {
  const out: [AnomalyKind, number][] = [];
  labels.forEach((label, i) => {
    if (label === undefined) return;
    const last = out.at(-1);
    if (last !== undefined && last[0] === label && labels[i - 1] === label && label !== 'spike') last[1] += 1;
    else out.push([label, 1]);
  });
  return out;
}

describe("the simulator's ground-truth labels", () => {
  const spec = { base: 20, spread: 2, step: 0.5, min: -100, max: 100, decimals: 2 };

  it('label the readings each anomaly shaped: one for a spike, 5 to 24 for stuck and drift', () => {
    const random = seeded(9);
    const channel = new Channel(spec, random);
    const readings = Array.from({ length: 20_000 }, () => channel.next(random, 0.01));
    const runs = episodes(readings.map((r) => r.anomaly));
    expect(new Set(runs.map(([kind]) => kind))).toEqual(new Set(['spike', 'stuck', 'drift']));
    expect(runs.length).toBe(readings.filter((r) => r.started !== undefined).length);
    for (const [kind, length] of runs) {
      if (kind === 'spike') expect(length).toBe(1);
      else expect(length).toBeGreaterThanOrEqual(5);
      expect(length).toBeLessThanOrEqual(24);
    }
    // A labelled stuck run is one value; a reading starts its anomaly's episode.
    readings.forEach((r, i) => {
      if (r.started !== undefined) expect(r.anomaly).toBe(r.started);
      if (r.anomaly === 'stuck' && readings[i - 1]?.anomaly === 'stuck')
        expect(r.value).toBe(readings[i - 1]!.value);
    });
  });
});
