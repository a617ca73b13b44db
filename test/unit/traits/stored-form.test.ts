import { evaluationOf, traitsView, type TraitsState } from '../../../topology/traits';
import type { TwinState } from '../../../topology/twin';
import { storedTwinCodec } from '../../../topology/twin-codec';
import { ID, stateMsg, T0 } from '../twin/helpers';
import { foldTwin, DEFAULT_FOLD_CONFIG } from '../../../topology/twin';
import { run, SEC, series } from './series';

/** Traits as stores written before the evaluation was stored by position: `eval`, an object. */
function legacy(traits: TraitsState): unknown {
  const fields = Object.fromEntries(
    Object.entries(traits.fields).map(([name, { e, ...rest }]) => [name, { ...rest, eval: evaluationOf(e) }]),
  );
  return { ...traits, fields };
}

function twinWith(traits: TraitsState): TwinState {
  const r = foldTwin(undefined, stateMsg({ x: 1 }, T0), { nowMs: T0, config: DEFAULT_FOLD_CONFIG });
  return { ...r.state!, id: ID, traits };
}

describe('stored traits', () => {
  // A drifting series with spikes: a reading whose evaluation uses every part of the stored form.
  const steps = run(series(60, 10 * SEC, (i, m) => 20 + 0.5 * m + (i % 17 === 16 ? 6 : 0)));
  const traits = steps.find((s) => {
    const e = s.traits === undefined ? undefined : evaluationOf(s.traits.fields.x!.e);
    return e?.drift.status === 'DRIFTING' && e.anomalies.length > 0 && e.maintenance !== null;
  })!.traits!;

  it('store the evaluation by position, and read it back unchanged', () => {
    const e = traits.fields.x!.e;
    expect(evaluationOf(e).forecast?.thresholds).toHaveLength(2);
    expect(JSON.stringify(e)).not.toMatch(/[a-z]":/); // no keys
    const twin = twinWith(traits);
    expect(storedTwinCodec.decode(storedTwinCodec.encode(twin))).toEqual(twin);
  });

  it('written by an earlier version (the evaluation as an object) read as today', () => {
    const twin = twinWith(traits);
    const old = Buffer.from(JSON.stringify({ ...twin, traits: legacy(traits) }), 'utf8');
    expect(old.toString()).toContain('"eval":{');
    const read = storedTwinCodec.decode(old);
    expect(read).toEqual(twin);
    expect(traitsView((read as TwinState).traits!, T0 + 3600 * SEC)).toEqual(
      traitsView(traits, T0 + 3600 * SEC),
    );
  });
});
