import {
  evaluationOf,
  traitsView,
  type FieldEvaluation,
  type FieldTraitsState,
} from '../../../topology/traits';
import { accepted, referenceTraits, type Point, type RefTraits } from './reference';
import { gaussian, MIN, REF, run, SEC, seeded, series, T0 } from './series';

/** Relative closeness for figures the fold rounds to six significant digits. */
function close(actual: number | null, expected: number | null, what: string): void {
  if (actual === null || expected === null) {
    expect({ what, actual }).toEqual({ what, actual: expected });
    return;
  }
  const tolerance = 1e-5 * Math.max(1, Math.abs(expected));
  if (Math.abs(actual - expected) > tolerance) throw new Error(`${what}: ${actual}, expected ${expected}`);
}

function compare(f: FieldTraitsState, r: RefTraits, where: string): void {
  const e = evaluationOf(f.e);
  close(f.v.at(-1)!, r.value, `${where} value`);
  expect({ where, points: e.points }).toEqual({ where, points: r.points });
  close(e.drift.perMinute, r.slope, `${where} drift`);
  expect({ where, drift: e.drift.status }).toEqual({ where, drift: r.drifting ? 'DRIFTING' : 'STABLE' });
  close(e.stability.stdDev, r.stdDev, `${where} stdDev`);
  close(e.stability.percent, r.percent, `${where} stability %`);
  expect({ where, s: e.stability.status }).toEqual({ where, s: r.unstable ? 'UNSTABLE' : 'GOOD' });
  expect({ where, trend: e.trend }).toEqual({ where, trend: r.trend });
  expect({ where, anomalies: e.anomalies.map((a) => a.type) }).toEqual({ where, anomalies: r.anomalies });
  close(e.forecast?.value ?? null, r.forecast, `${where} forecast`);
  const minutes = e.forecast?.thresholds.map((x) => x.inMinutes) ?? [];
  expect(minutes.length).toBe(r.thresholdMinutes.length);
  minutes.forEach((m, i) => close(m, r.thresholdMinutes[i]!, `${where} threshold ${i}`));
  close(e.maintenance?.hoursUntilMaintenance ?? null, r.maintenanceHours, `${where} maintenance`);
  const shown = traitsView({ fields: { x: f }, alerts: [], raised: 0 }, f.at).fields.x!;
  expect({ where, score: shown.health.score }).toEqual({ where, score: r.score });
}

/** Every accepted reading's traits equal the reference's; every other reading changes nothing. */
function checkAgainstReference(points: readonly Point[]): void {
  const good = accepted(points);
  let i = 0;
  for (const step of run(points)) {
    if (i < good.length && step.point === good[i]) {
      const field = step.traits?.fields.x;
      if (field === undefined) throw new Error(`reading ${i} was not taken`);
      expect(field.at).toBe(step.point.t);
      compare(field, referenceTraits(good, i, REF), `reading ${i} at ${step.point.t - T0} ms`);
      i += 1;
    } else {
      expect(step.traits).toBeUndefined();
      expect(step.transitions).toEqual([]);
    }
  }
  expect(i).toBe(good.length);
}

const noise = gaussian(seeded(7));
const SERIES: Record<string, Point[]> = {
  constant: series(40, 10 * SEC, () => 20),
  'linear drift': series(60, 10 * SEC, (_, m) => 20 + 0.5 * m),
  'falling drift': series(60, 10 * SEC, (_, m) => 24 - 0.3 * m + 0.01 * noise()),
  noise: series(120, 5 * SEC, () => 20 + 0.3 * noise()),
  'big noise': series(80, 5 * SEC, () => 20 + 2 * noise()),
  spikes: series(100, 10 * SEC, (i) => 20 + 0.2 * noise() + (i % 23 === 22 ? 8 : 0)),
  'stuck runs': series(80, 10 * SEC, (i) => (i >= 20 && i < 35 ? 21.5 : 20 + 0.2 * noise())),
  'rapid change': series(40, 5 * SEC, (i) => (i < 20 ? 20 : 20 + 0.5 * (i - 20))),
  gaps: [
    ...series(20, 10 * SEC, () => 20 + 0.1 * noise()),
    ...series(20, 10 * SEC, (_, m) => 22 + 0.2 * m + 0.1 * noise()).map((p) => ({ ...p, t: p.t + 30 * MIN })),
  ],
};

describe('traits against an independent reference', () => {
  for (const [name, points] of Object.entries(SERIES)) {
    it(`${name}: every trait of every reading`, () => checkAgainstReference(points));
  }

  it('out-of-order and repeated timestamps: older or equal readings are not taken', () => {
    const random = seeded(3);
    const base = series(60, 10 * SEC, (_, m) => 20 + 0.2 * m + 0.1 * noise());
    const shuffled = base.map((p) => ({ ...p, t: p.t + (random() < 0.25 ? -25 * SEC : 0) }));
    shuffled.splice(30, 0, { ...shuffled[29]! }, { t: shuffled[10]!.t, v: 99 });
    expect(accepted(shuffled).length).toBeLessThan(shuffled.length - 5);
    checkAgainstReference(shuffled);
  });

  it('the series do show what they are meant to', () => {
    const last = (name: string): FieldEvaluation =>
      evaluationOf(run(SERIES[name]!).at(-1)!.traits!.fields.x!.e);
    expect(last('constant')).toMatchObject({ drift: { status: 'STABLE' }, stability: { percent: 100 } });
    expect(last('constant').anomalies.map((a) => a.type)).toEqual(['STUCK']);
    expect(last('linear drift')).toMatchObject({
      drift: { perMinute: 0.5, status: 'DRIFTING' },
      trend: 'RISING',
    });
    // 20 + 0.5/min reaches the band's 25 ten minutes in: the last reading is at 9 min 50 s.
    expect(last('linear drift').maintenance).toMatchObject({
      status: 'URGENT',
      recommendedAction: 'Recalibrate',
    });
    close(last('linear drift').maintenance!.hoursUntilMaintenance, 10 / 3600, 'hours until maintenance');
    expect(last('falling drift').trend).toBe('FALLING');
    expect(last('noise')).toMatchObject({ drift: { status: 'STABLE' }, stability: { status: 'GOOD' } });
    expect(last('big noise').stability.status).toBe('UNSTABLE');
    const spikes = run(SERIES.spikes!).filter((s) =>
      s.traits?.fields.x?.e[5].some(([type]) => type === 'SPIKE'),
    );
    const at = spikes.map((s) => (s.point.t - T0) / (10 * SEC));
    expect(at).toEqual(expect.arrayContaining([22, 45, 68, 91]));
    expect(at.length).toBeLessThanOrEqual(5); // 3 σ of noise happens, rarely
    const gapped = evaluationOf(run(SERIES.gaps!).at(-1)!.traits!.fields.x!.e);
    expect(gapped.points).toBe(19); // the 3-minute window holds none of the readings before the gap
  });

  it('the state stays bounded by the ring size', () => {
    const field = run(SERIES.noise!).at(-1)!.traits!.fields.x!;
    expect(field.t).toHaveLength(REF.ringSize);
    expect(field.v).toHaveLength(REF.ringSize);
    expect(field.n).toBe(120);
  });
});
