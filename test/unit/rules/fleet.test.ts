import { compareTwins } from '../../../api/routes/compare';
import type { TwinTraits } from '../../../api/routes/health-fanout';
import { HealthTally, mergeAlerts, mergeHealth } from '../../../api/routes/health-summary';
import { filterableState, matchesFilter } from '../../../api/twin-filter';
import { parseTwinFilter } from '../../../api/validate';
import { DEFAULT_PROFILE, traitsView } from '../../../topology/traits';
import { toTwinDocument, type FoldConfig, type TwinInput, type TwinState } from '../../../topology/twin';
import { accountChange, emptyCounts } from '../../../topology/twin-stats';
import { CONFIG, fold, ID, SEC, T0, telemetry } from '../twin/helpers';

const WITH_TRAITS: FoldConfig = { ...CONFIG, traits: true, profileFor: () => DEFAULT_PROFILE };

/** A twin after `values` of `field`, one a minute, with traits on. */
function twin(values: number[], id = ID, field = 'temperature'): TwinState {
  let state: TwinState | undefined;
  values.forEach((v, i) => {
    const input: TwinInput = telemetry({ [field]: v }, T0 + (i + 1) * 60 * SEC, id);
    state = fold(state, input, input.timestampMs, WITH_TRAITS).state ?? state;
  });
  return state!;
}

const stuck = twin(
  Array.from({ length: 12 }, () => 42),
  'stuck',
);
const calm = twin(
  Array.from({ length: 12 }, (_, i) => 20 + (i % 2) * 0.1),
  'calm',
);
const bare = fold(undefined, { kind: 'status', deviceId: 'bare', timestampMs: T0, status: 'online' }).state!;

describe('fleet health', () => {
  it('counts by health, UNKNOWN without traits, and ranks the worst first', () => {
    const tally = new HealthTally(T0 + 13 * 60 * SEC, 1);
    [calm, stuck, bare].forEach((t) => tally.add(t));
    const result = tally.result();
    expect(result.total).toBe(3);
    expect(result.counts.UNKNOWN).toBe(1);
    expect(result.counts.HEALTHY + result.counts.DEGRADED + result.counts.FAILED).toBe(2);
    expect(result.worst.map((w) => w.id)).toEqual(['stuck']);
  });

  it('merges instances by summing counts and re-ranking', () => {
    const at = T0 + 13 * 60 * SEC;
    const a = new HealthTally(at, 2);
    a.add(calm);
    const b = new HealthTally(at, 2);
    b.add(stuck);
    b.add(bare);
    const merged = mergeHealth([a.result(), b.result()], 2, at);
    expect(merged.total).toBe(3);
    expect(Object.values(merged.counts).reduce((n, c) => n + c, 0)).toBe(3);
    expect(merged.counts.UNKNOWN).toBe(1);
    expect(merged.worst.map((w) => w.id)).toEqual(['stuck', 'calm']);
  });

  it('merges alert lists newest first, at most limit', () => {
    const alert = (twinId: string, raisedAt: string) => ({
      twinId,
      twinType: 't',
      id: `${twinId}:1`,
      field: 'x',
      type: 'STUCK' as const,
      severity: 'MEDIUM' as const,
      message: '',
      raisedAt,
    });
    const merged = mergeAlerts(
      [[alert('a', '2026-01-01T00:00:01Z')], [alert('b', '2026-01-01T00:00:02Z')]],
      1,
    );
    expect(merged).toEqual({ count: 1, alerts: [alert('b', '2026-01-01T00:00:02Z')] });
  });
});

describe('twins by health (the metric)', () => {
  it('follows each change of a twin', () => {
    const counts = emptyCounts();
    accountChange(counts, undefined, bare);
    accountChange(counts, undefined, calm);
    accountChange(counts, undefined, stuck);
    expect(counts).toMatchObject({ noTraits: 1, healthy: 1 });
    expect(counts.degraded + counts.failed).toBe(1);
    accountChange(counts, stuck, null);
    expect(counts).toMatchObject({ noTraits: 1, healthy: 1, degraded: 0, failed: 0 });
  });
});

describe('health= and alert= filters', () => {
  it('match stored twins as their documents show them', () => {
    const f = (query: Record<string, string>) => (t: TwinState) =>
      matchesFilter(parseTwinFilter(query), filterableState(parseTwinFilter(query), t));
    expect([calm, stuck, bare].filter(f({ alert: 'STUCK' })).map((t) => t.id)).toEqual(['stuck']);
    expect([calm, stuck, bare].filter(f({ alert: 'any' })).map((t) => t.id)).toEqual(['stuck']);
    expect([calm, stuck, bare].filter(f({ health: 'UNKNOWN' })).map((t) => t.id)).toEqual(['bare']);
    expect([calm, stuck, bare].filter(f({ health: 'HEALTHY' })).map((t) => t.id)).toEqual(['calm']);
  });

  it('match documents (lists read back, event streams) the same way', () => {
    const docs = [calm, stuck, bare].map((t) => toTwinDocument(t));
    const ids = (query: Record<string, string>) =>
      docs.filter((doc) => matchesFilter(parseTwinFilter(query), doc)).map((doc) => doc.id);
    expect(ids({ alert: 'STUCK' })).toEqual(['stuck']);
    expect(ids({ health: 'UNKNOWN' })).toEqual(['bare']);
    expect(ids({ health: 'HEALTHY' })).toEqual(['calm']);
  });

  it('refuses unknown values', () => {
    expect(() => parseTwinFilter({ health: 'OK' })).toThrow(/health must be one of/);
    expect(() => parseTwinFilter({ alert: 'FIRE' })).toThrow(/alert must be one of/);
  });
});

describe('compare', () => {
  it('ranks by stability and names what is missing', () => {
    const answer = (t: TwinState): TwinTraits => ({
      id: t.id,
      type: t.type,
      version: t.version,
      traits: null,
    });
    const noisy = twin([20, 25, 18, 27, 19, 26, 21, 24, 17, 28], 'noisy');
    const withTraits = (t: TwinState): TwinTraits => ({
      ...answer(t),
      traits: traitsView(t.traits!, t.updatedAt),
    });
    const result = compareTwins(
      'temperature',
      ['noisy', 'calm', 'bare', 'gone'],
      [withTraits(noisy), withTraits(calm), answer(bare), undefined],
    );
    expect(result.ranking.map((r) => r.id)).toEqual(['calm', 'noisy']);
    expect(result.missing).toEqual([
      { id: 'bare', reason: 'field' },
      { id: 'gone', reason: 'twin' },
    ]);
  });
});
