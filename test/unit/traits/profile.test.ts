import { DEFAULT_PROFILE, fieldSettings, validateProfile } from '../../../topology/traits';

function errorsOf(input: unknown): { field: string; message: string }[] {
  const r = validateProfile(input);
  if (r.ok) throw new Error('expected the profile to be refused');
  return r.errors;
}

describe('validateProfile', () => {
  it('an empty profile is the default one', () => {
    expect(validateProfile({})).toEqual({ ok: true, profile: DEFAULT_PROFILE });
  });

  it('seed 003 figures are the defaults', () => {
    expect(DEFAULT_PROFILE).toMatchObject({
      spikeK: 3,
      stuckN: 10,
      driftPerMinute: 0.1,
      rapidPerMinute: 1,
      minStabilityPercent: 70,
      forecastMs: 600_000,
    });
    expect(Object.isFrozen(DEFAULT_PROFILE.windows)).toBe(true);
  });

  it('keeps what is given, defaults the rest, and per-field settings override the profile', () => {
    const r = validateProfile({
      spikeK: 4,
      windows: { driftMs: 600_000 },
      fields: {
        humidity: { driftPerMinute: 0.5, thresholds: { max: 75 }, calibration: { min: 20, max: 80 } },
        seq: { ignore: true },
      },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.profile).toMatchObject({
      spikeK: 4,
      stuckN: 10,
      windows: { driftMs: 600_000, rapidMs: 60_000 },
    });
    expect(fieldSettings(r.profile, 'humidity')).toMatchObject({
      spikeK: 4,
      driftPerMinute: 0.5,
      thresholds: { max: 75 },
    });
    expect(fieldSettings(r.profile, 'temperature')).toMatchObject({ driftPerMinute: 0.1 });
    expect(fieldSettings(r.profile, 'seq').ignore).toBe(true);
    expect(fieldSettings(r.profile, 'toString').driftPerMinute).toBe(0.1);
  });

  it.each([
    [[], '', 'must be a JSON object'],
    [{ spikeK: 0 }, 'spikeK', 'must be a number above 0 and at most 1000'],
    [{ spikeK: '3' }, 'spikeK', 'must be a number above 0 and at most 1000'],
    [{ stuckN: 2.5 }, 'stuckN', 'must be an integer'],
    [{ stuckN: 1 }, 'stuckN', 'must be an integer at least 2 and at most 10000'],
    [{ minStabilityPercent: 101 }, 'minStabilityPercent', 'must be a number at least 0 and at most 100'],
    [{ windows: { driftMs: 30_000 } }, 'windows.rapidMs', 'must not exceed windows.driftMs'],
    [{ windows: { hourly: 1 } }, 'windows.hourly', 'is not a profile setting'],
    [{ windows: 5 }, 'windows', 'must be an object'],
    [
      { hysteresis: { clearRatio: 1.5 } },
      'hysteresis.clearRatio',
      'must be a number at least 0 and at most 1',
    ],
    [{ threshold: 3 }, 'threshold', 'is not a profile setting'],
    [
      { fields: { t: { calibration: { min: 5, max: 1 } } } },
      'fields.t.calibration.max',
      'must be greater than min',
    ],
    [{ fields: { t: { calibration: {} } } }, 'fields.t.calibration', 'needs min or max'],
    [
      { fields: { t: { thresholds: { max: null } } } },
      'fields.t.thresholds.max',
      'must be a number at least -1000000000000000 and at most 1000000000000000',
    ],
    [{ fields: { t: { ignore: 'yes' } } }, 'fields.t.ignore', 'must be true or false'],
    [{ fields: { t: { color: 1 } } }, 'fields.t.color', 'is not a profile setting'],
    [{ fields: { 'a b': {} } }, 'fields.a b', 'is not a valid field name'],
    [{ fields: { t: 1 } }, 'fields.t', 'must be an object'],
  ])('refuses %j: %s %s', (input, field, message) => {
    expect(errorsOf(input)).toEqual([{ field, message }]);
  });

  it('names every offending field at once', () => {
    expect(errorsOf({ spikeK: -1, stuckN: 0, fields: { t: { spikeK: 0 } } }).map((e) => e.field)).toEqual([
      'spikeK',
      'stuckN',
      'fields.t.spikeK',
    ]);
  });

  it('refuses prototype keys as field names', () => {
    // JSON.parse (unlike parseJsonSafely) keeps "__proto__" as an own key.
    const input: unknown = JSON.parse('{"fields":{"__proto__":{"spikeK":2},"constructor":{}}}');
    expect(errorsOf(input)).toEqual([
      { field: 'fields.__proto__', message: 'is not a valid field name' },
      { field: 'fields.constructor', message: 'is not a valid field name' },
    ]);
    expect(({} as Record<string, unknown>).spikeK).toBeUndefined();
  });
});
