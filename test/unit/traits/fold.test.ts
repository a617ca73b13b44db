import { DEFAULT_PROFILE, validateProfile, type DeviceProfile } from '../../../topology/traits';
import {
  DEFAULT_FOLD_CONFIG,
  foldTwin,
  toTwinDocument,
  type FoldConfig,
  type TwinEvent,
  type TwinInput,
  type TwinState,
} from '../../../topology/twin';
import { deepFreeze, ID, SEC, stateMsg, T0, telemetry } from '../twin/helpers';

const ON: FoldConfig = { ...DEFAULT_FOLD_CONFIG };

/** Folds inputs in order; returns the last state and every event. */
function foldAll(
  inputs: TwinInput[],
  config = ON,
  start?: TwinState,
): { state: TwinState; events: TwinEvent[] } {
  let state = start;
  const events: TwinEvent[] = [];
  for (const input of inputs) {
    const r = foldTwin(state === undefined ? undefined : deepFreeze(structuredClone(state)), input, {
      nowMs: input.timestampMs,
      config,
    });
    events.push(...r.events);
    if (r.state) state = r.state;
  }
  if (state === undefined) throw new Error('no twin');
  return { state, events };
}

/** `n` telemetry messages 10 s apart from `from`; `f(i)` gives the readings of message i. */
function readings(n: number, f: (i: number) => Record<string, number | string>, from = T0): TwinInput[] {
  return Array.from({ length: n }, (_, i) => telemetry(f(i), from + i * 10 * SEC));
}

const alertsOf = (events: TwinEvent[]): string[] =>
  events
    .filter((e) => e.type.startsWith('alert.'))
    .map((e) => `${e.type}:${String(e.data.type)}:${String(e.data.field)}`);

describe('traits in the fold', () => {
  it('numeric reported fields get traits; others do not; the document shows them without the ring', () => {
    const { state } = foldAll(readings(12, (i) => ({ temperature: 20 + (i % 3) * 0.1, mode: 'eco' })));
    expect(Object.keys(state.traits!.fields)).toEqual(['temperature']);
    const doc = toTwinDocument(state);
    expect(Object.keys(doc).at(-1)).toBe('traits');
    expect(doc.traits!.evaluatedAt).toBe(doc.updatedAt);
    expect(doc.traits!.fields.temperature).toMatchObject({
      freshness: { ageMs: 0, status: 'FRESH' },
      drift: { status: 'STABLE' },
      stability: { status: 'GOOD' },
      trend: 'STABLE',
      anomalies: [],
      health: { score: 100, status: 'HEALTHY', issues: [] },
    });
    expect(JSON.stringify(doc)).not.toMatch(/"v":|"t":|variance/);
    expect(toTwinDocument(state)).toEqual(doc); // a function of the stored twin
  });

  it('freshness is judged at the time the document is rendered for, and enters health', () => {
    const { state } = foldAll(readings(12, () => ({ temperature: 20 })));
    const later = toTwinDocument(state, { nowMs: T0 + 110 * SEC + DEFAULT_PROFILE.staleAfterMs + 1 });
    expect(later.traits!.fields.temperature!.freshness).toEqual({
      ageMs: DEFAULT_PROFILE.staleAfterMs + 1,
      status: 'STALE',
    });
    expect(later.traits!.fields.temperature!.health.issues).toContain('Stale (60s old)');
    expect(later.traits!.health.score).toBe(toTwinDocument(state).traits!.health.score - 30);
  });

  it('alerts become alert.raised / alert.cleared events at the twin version of the change', () => {
    // Stuck, then moving on slowly from where it stuck.
    const stuck = readings(30, (i) => ({ temperature: i < 25 ? 21 : 21 + (i - 24) * 0.01 }));
    const { state, events } = foldAll(stuck);
    expect(alertsOf(events)).toEqual([
      'alert.raised:STUCK:temperature',
      'alert.raised:UNHEALTHY:null',
      'alert.cleared:STUCK:temperature',
      'alert.cleared:UNHEALTHY:null',
    ]);
    const raised = events.find((e) => e.type === 'alert.raised')!;
    expect(raised).toEqual({
      type: 'alert.raised',
      deviceId: ID,
      version: 10, // the tenth reading is the tenth equal one
      timestamp: new Date(T0 + 90 * SEC).toISOString(),
      data: {
        id: `${ID}:1`,
        field: 'temperature',
        type: 'STUCK',
        severity: 'MEDIUM',
        message: 'Sensor stuck at 21 for 10 readings',
        at: new Date(T0 + 90 * SEC).toISOString(),
      },
    });
    expect(state.traits!.alerts).toEqual([]);
  });

  it('open alerts are in the document while open', () => {
    const { state } = foldAll(readings(12, () => ({ temperature: 21 })));
    expect(toTwinDocument(state).traits!.alerts).toEqual([
      expect.objectContaining({
        id: `${ID}:1`,
        field: 'temperature',
        type: 'STUCK',
        raisedAt: new Date(T0 + 90 * SEC).toISOString(),
      }),
      expect.objectContaining({ id: `${ID}:2`, field: null, type: 'UNHEALTHY', severity: 'MEDIUM' }),
    ]);
  });

  it('a record folded again (a replay after a crash) changes nothing and raises nothing', () => {
    const inputs = readings(12, () => ({ temperature: 21 }));
    const { state } = foldAll(inputs);
    const again = foldTwin(state, inputs[11]!, { nowMs: inputs[11]!.timestampMs, config: ON });
    expect(again.outcome).toBe('unchanged');
    expect(again.events).toEqual([]);
  });

  it('an older reading is not a new point for the traits', () => {
    const { state } = foldAll(readings(12, (i) => ({ temperature: 20 + i })));
    const late = foldAll([telemetry({ temperature: 99, humidity: 40 }, T0 + 5 * SEC)], ON, state).state;
    expect(late.traits!.fields.temperature).toEqual(state.traits!.fields.temperature);
    expect(late.reported).toMatchObject({ temperature: 31, humidity: 40 });
    expect(late.traits!.fields.humidity!.n).toBe(1);
  });

  it('state messages feed the traits too, and a deleted field loses them', () => {
    const { state } = foldAll([
      stateMsg({ temperature: 20, humidity: 40 }, T0),
      telemetry({ humidity: null }, T0 + SEC),
    ]);
    expect(Object.keys(state.traits!.fields)).toEqual(['temperature']);
  });

  it('TRAITS off: no traits state, no section, no alert events', () => {
    const { state, events } = foldAll(
      readings(12, () => ({ temperature: 21 })),
      { ...ON, traits: false },
    );
    expect(state.traits).toBeUndefined();
    expect(toTwinDocument(state)).not.toHaveProperty('traits');
    expect(alertsOf(events)).toEqual([]);
  });

  it('a twin folded with traits on loses them at its next reading once they are off', () => {
    const { state } = foldAll(readings(12, () => ({ temperature: 21 })));
    const off = foldAll(
      [telemetry({ temperature: 22 }, T0 + 200 * SEC)],
      { ...ON, traits: false },
      state,
    ).state;
    expect(off.traits).toBeUndefined();
    expect(toTwinDocument(off)).not.toHaveProperty('traits');
  });

  it("folds with the twin type's profile from profileFor", () => {
    const r = validateProfile({ stuckN: 3, fields: { seq: { ignore: true } } });
    if (!r.ok) throw new Error('invalid');
    const profiles = new Map<string, DeviceProfile>([['unknown', r.profile]]);
    const config = { ...ON, profileFor: (type: string) => profiles.get(type) ?? DEFAULT_PROFILE };
    const { state, events } = foldAll(
      readings(3, (i) => ({ temperature: 21, seq: i })),
      config,
    );
    expect(alertsOf(events)[0]).toBe('alert.raised:STUCK:temperature');
    expect(Object.keys(state.traits!.fields)).toEqual(['temperature']);
  });
});
