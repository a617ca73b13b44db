import { updateTraits, type TraitsState } from '../../../topology/traits';
import type { Point } from './reference';
import { gaussian, MIN, run, SEC, seeded, series, T0, testProfile, type Step } from './series';

/** `raised:TYPE` / `cleared:TYPE` with the reading index, in order. */
function transitions(steps: readonly Step[]): string[] {
  return steps.flatMap((s, i) => s.transitions.map((t) => `${i} ${t.kind}:${t.data.type}`));
}

function ofType(steps: readonly Step[], type: string): string[] {
  return transitions(steps).filter((x) => x.endsWith(`:${type}`));
}

/** For every alert id: raised exactly once, cleared at most once and only after being raised. */
function expectRaiseOnceClearOnce(steps: readonly Step[]): void {
  const seen = new Map<string, string[]>();
  for (const s of steps)
    for (const t of s.transitions) seen.set(t.data.id, [...(seen.get(t.data.id) ?? []), t.kind]);
  for (const [id, kinds] of seen)
    expect({ id, kinds: kinds.join(',') }).toMatchObject({
      id,
      kinds: expect.stringMatching(/^raised(,cleared)?$/),
    });
  const open = new Set([...seen].filter(([, k]) => k.length === 1).map(([id]) => id));
  const last = steps
    .map((s) => s.traits)
    .filter((t) => t !== undefined)
    .at(-1);
  expect(new Set(last?.alerts.map((a) => a.id))).toEqual(open);
}

const gauss = gaussian(seeded(11));
const uniform = seeded(12);
/** Bounded noise (|z| stays under √3), so no reading of it can pass for a 3 σ spike. */
const noise = (): number => 2 * uniform() - 1;

describe('alerts: raised once, cleared once, with hysteresis', () => {
  it('a spike raises SPIKE at its reading and clears after three calm readings', () => {
    const steps = run(series(30, 10 * SEC, (i) => 20 + 0.1 * noise() + (i === 20 ? 10 : 0)));
    expect(ofType(steps, 'SPIKE')).toEqual(['20 raised:SPIKE', '23 cleared:SPIKE']);
    const raised = steps[20]!.transitions.find((t) => t.data.type === 'SPIKE')!.data;
    expect(raised).toMatchObject({
      id: 'dev-1:1',
      field: 'x',
      severity: 'HIGH',
      at: new Date(T0 + 200 * SEC).toISOString(),
    });
    expect(raised.message).toMatch(/^Value 3\d\.\d+ deviates \d+\.\d\d from baseline 19\.9\d$/);
  });

  it('a second spike before the first clears does not raise again', () => {
    const steps = run(series(30, 10 * SEC, (i) => 20 + 0.1 * noise() + (i === 20 || i === 22 ? 10 : 0)));
    expect(ofType(steps, 'SPIKE')).toEqual(['20 raised:SPIKE', '25 cleared:SPIKE']);
  });

  it('a stuck run raises STUCK at the N-th equal reading and clears once the value moves for good', () => {
    const steps = run(series(40, 10 * SEC, (i) => (i >= 10 && i < 25 ? 21 : 20 + 0.1 * noise())));
    // stuckN = 6: readings 10..15 make the sixth equal value; reading 25 moves, 27 is the third calm one.
    expect(ofType(steps, 'STUCK')).toEqual(['15 raised:STUCK', '27 cleared:STUCK']);
    expect(steps[15]!.transitions.find((t) => t.data.type === 'STUCK')!.data.message).toBe(
      'Sensor stuck at 21 for 6 readings',
    );
  });

  it('drift raises DRIFT once; a slope inside the hysteresis band neither clears nor re-raises it', () => {
    // 0.3 /min for 6 minutes, then 0.09 /min (between 0.8 × 0.1 and 0.1) for 6, then flat.
    const f = (_: number, m: number): number =>
      m < 6 ? 20 + 0.3 * m : m < 12 ? 21.8 + 0.09 * (m - 6) : 22.34 + 0.001 * noise();
    const steps = run(series(120, 10 * SEC, f));
    const drift = ofType(steps, 'DRIFT');
    expect(drift).toHaveLength(2);
    expect(drift[0]).toMatch(/raised:DRIFT$/);
    const cleared = Number(drift[1]!.split(' ')[0]);
    expect(cleared * 10 * SEC).toBeGreaterThan(12 * MIN); // not in the 0.09 /min stretch
    expect(drift[1]).toMatch(/cleared:DRIFT$/);
  });

  it('the twin-level UNHEALTHY alert follows health, with field null', () => {
    // Stuck at the level it had: no jump when it moves again.
    const steps = run(series(60, 10 * SEC, (i) => (i >= 10 && i < 40 ? 20 : 20 + 0.1 * noise())));
    const unhealthy = steps.flatMap((s) => s.transitions).filter((t) => t.data.type === 'UNHEALTHY');
    expect(unhealthy.map((t) => t.kind)).toEqual(['raised', 'cleared']);
    expect(unhealthy[0]!.data).toMatchObject({ field: null, severity: 'MEDIUM' });
    expect(unhealthy[0]!.data.message).toMatch(
      /^Health DEGRADED \(score 70\): x: Sensor stuck at 20 for 6 readings$/,
    );
  });

  it('over a long noisy series with spikes, stuck runs and drifts every alert is raised once and cleared once', () => {
    const random = seeded(5);
    let level = 20;
    const points: Point[] = series(3000, 10 * SEC, (i) => {
      level += 0.02 * gauss();
      if (i % 400 > 300 && i % 400 < 340) level += 0.05; // a drift
      if (i % 500 > 200 && i % 500 < 215) return 23; // stuck
      return level + (random() < 0.01 ? 5 : 0) + 0.05 * gauss();
    });
    const steps = run(points);
    for (const type of ['SPIKE', 'STUCK', 'DRIFT']) expect(ofType(steps, type).length).toBeGreaterThan(2);
    expectRaiseOnceClearOnce(steps);
  });
});

describe('replay and restart', () => {
  const points = series(300, 10 * SEC, (i) => 20 + 0.01 * i + 0.1 * noise() + (i % 50 === 49 ? 6 : 0));

  it('the same readings give identical traits and transitions', () => {
    expect(run(points)).toEqual(run(points));
  });

  it('a restart from the stored (JSON) state at any reading continues exactly like an uninterrupted fold', () => {
    const profile = testProfile();
    const whole = run(points, profile);
    for (const cut of [1, 37, 150, 299]) {
      let state = JSON.parse(
        JSON.stringify(whole[cut - 1]!.traits ?? whole.slice(0, cut).findLast((s) => s.traits)!.traits),
      ) as TraitsState;
      for (let i = cut; i < points.length; i++) {
        const p = points[i]!;
        const r = updateTraits(
          state,
          { deviceId: 'dev-1', t: p.t, values: [['x', p.v]], isNumeric: () => true },
          profile,
        );
        expect(r.transitions).toEqual(whole[i]!.transitions);
        if (r.traits !== undefined) state = r.traits;
      }
      expect(state).toEqual(whole.findLast((s) => s.traits)!.traits);
    }
  });

  it('re-folding readings already taken (a replay after a crash) repeats no alert', () => {
    const profile = testProfile();
    const whole = run(points, profile);
    let state = whole.findLast((s) => s.traits)!.traits!;
    for (const p of points) {
      const r = updateTraits(
        state,
        { deviceId: 'dev-1', t: p.t, values: [['x', p.v]], isNumeric: () => true },
        profile,
      );
      expect(r).toEqual({ traits: undefined, transitions: [] });
      state = r.traits ?? state;
    }
  });

  it('a field that leaves reported takes its traits and open alerts with it (cleared once)', () => {
    const profile = testProfile();
    const steps = run(
      series(20, 10 * SEC, () => 21),
      profile,
    );
    const state = steps.at(-1)!.traits!;
    expect(state.alerts.map((a) => a.type)).toEqual(['STUCK', 'UNHEALTHY']);
    const r = updateTraits(
      state,
      { deviceId: 'dev-1', t: T0 + 300 * SEC, values: [], isNumeric: () => false },
      profile,
    );
    expect(r.traits).toEqual({ fields: {}, alerts: [{ ...state.alerts[1]! }], raised: 2 });
    expect(r.transitions.map((t) => `${t.kind}:${t.data.type}`)).toEqual(['cleared:STUCK']);
  });
});
