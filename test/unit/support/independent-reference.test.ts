import { independentProblems, independentTwins } from '../../support/independent-reference';
import { generateWorkload, referenceDocuments, referenceFold, type Round } from '../../support/workload';

/**
 * The processor's fold (as `referenceFold` runs it) and the independent model agree on every
 * twin's reported, desired and delta over generated workloads. Pure: record times are the
 * generator's, no broker.
 */
describe('independent reference', () => {
  const workload = (seed: number): Round[] =>
    generateWorkload({ seed, devices: 40, records: 6000, idPrefix: 'ir-' });

  it.each([1, 7, 11, 2026, 20261125])('agrees with the fold on seed %i', (seed) => {
    const rounds = workload(seed);
    const expected = independentTwins(rounds);
    expect(independentProblems(referenceDocuments(referenceFold(rounds)), expected)).toEqual([]);
    // The workload exercises what the model decides: live twins, reported and desired values, deltas.
    const twins = [...expected.values()];
    expect(twins.length).toBeGreaterThan(10);
    expect(twins.some((t) => Object.keys(t.delta).length > 0)).toBe(true);
    expect(twins.some((t) => Object.keys(t.desired).length > 0)).toBe(true);
  });

  it('reports a twin whose reported value differs, and twins present on one side only', () => {
    const rounds = workload(3);
    const expected = independentTwins(rounds);
    const [id, twin] = [...expected][0]!;
    const actual = new Map([...expected, ['ir-extra', twin]]);
    actual.set(id, { ...twin, reported: { ...twin.reported, temperature: -1 } });
    expected.set('ir-gone', twin);
    expect(independentProblems(actual, expected)).toEqual([
      `${id}.reported: ${JSON.stringify({ ...twin.reported, temperature: -1 })}, model ${JSON.stringify(twin.reported)}`,
      'ir-extra: unexpected',
      'ir-gone: missing',
    ]);
  });
});
