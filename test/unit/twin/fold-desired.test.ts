import { toIso, type JsonObject } from '../../../topology/twin';
import {
  desired,
  eventTypes,
  eventsOf,
  fold,
  ID,
  next,
  offlineTwin,
  onlineTwin,
  SEC,
  T0,
  telemetry,
} from './helpers';

describe('desired patches', () => {
  it('merge into desired, record metadata, emit desired.changed and delta.changed, send a downlink', () => {
    const r = fold(
      onlineTwin({ interval: 5 }),
      desired({ interval: 10, mode: 'eco' }, T0 + SEC, { requestId: 'r1' }),
    );
    expect(r.outcome).toBe('changed');
    expect(r.state).toMatchObject({
      desired: { interval: 10, mode: 'eco' },
      metadata: {
        desired: { interval: { timestamp: T0 + SEC, version: 2 }, mode: { timestamp: T0 + SEC, version: 2 } },
      },
      version: 2,
    });
    expect(r.events).toEqual([
      {
        type: 'desired.changed',
        deviceId: ID,
        version: 2,
        timestamp: toIso(T0 + SEC),
        data: { patch: { interval: 10, mode: 'eco' }, requestId: 'r1' },
      },
      {
        type: 'delta.changed',
        deviceId: ID,
        version: 2,
        timestamp: toIso(T0 + SEC),
        data: { delta: { interval: 10, mode: 'eco' } },
      },
    ]);
    expect(r.downlink).toEqual([
      {
        kind: 'desired',
        deviceId: ID,
        payload: { version: 2, desired: { interval: 10, mode: 'eco' }, delta: { interval: 10, mode: 'eco' } },
      },
    ]);
  });

  it('send the downlink even while the device is offline', () => {
    expect(fold(offlineTwin(), desired({ a: 1 }, T0 + 2 * SEC)).downlink).toHaveLength(1);
  });

  it('delete with null (metadata too)', () => {
    const s = next(onlineTwin(), desired({ a: 1, b: 2 }, T0 + SEC));
    const s2 = next(s, desired({ a: null }, T0 + 2 * SEC));
    expect(s2.desired).toEqual({ b: 2 });
    expect(Object.keys(s2.metadata.desired)).toEqual(['b']);
  });

  it('that change nothing are unchanged: no version, no event, no downlink', () => {
    const s = next(onlineTwin(), desired({ a: 1 }, T0 + SEC));
    for (const patch of [{ a: 1 }, { zzz: null }, {}] as JsonObject[]) {
      expect(fold(s, desired(patch, T0 + 5 * SEC))).toEqual({
        state: undefined,
        events: [],
        downlink: [],
        outcome: 'unchanged',
      });
    }
  });

  it('do not emit delta.changed when the delta stays the same', () => {
    const s = next(onlineTwin({ a: 1 }), desired({ a: 1 }, T0 + SEC)); // converged
    const r = fold(s, desired({ a: 1, b: { x: 1 } }, T0 + 2 * SEC));
    expect(eventsOf(r, 'delta.changed')).toHaveLength(1);
    const r2 = fold(r.state ?? undefined, desired({ c: null }, T0 + 3 * SEC));
    expect(r2.outcome).toBe('unchanged');
  });

  it('converge when the device reports the desired values: delta.changed to {}', () => {
    const s = next(onlineTwin({ interval: 5 }), desired({ interval: 10 }, T0 + SEC));
    const r = fold(s, telemetry({ interval: 10 }, T0 + 2 * SEC));
    expect(r.events).toEqual([expect.objectContaining({ type: 'delta.changed', data: { delta: {} } })]);
    expect(r.downlink).toEqual([]);
  });

  it('diverge again when the device reports another value', () => {
    const s = next(
      next(onlineTwin({ interval: 5 }), desired({ interval: 10 }, T0 + SEC)),
      telemetry({ interval: 10 }, T0 + 2 * SEC),
    );
    const r = fold(s, telemetry({ interval: 7 }, T0 + 3 * SEC));
    expect(eventsOf(r, 'delta.changed')[0]?.data).toEqual({ delta: { interval: 10 } });
  });

  it('desired equal to reported yields an empty delta and still a downlink', () => {
    const r = fold(onlineTwin({ a: 1 }), desired({ a: 1 }, T0 + SEC));
    expect(r.downlink[0]?.payload).toEqual({ version: 2, desired: { a: 1 }, delta: {} });
    expect(eventTypes(r)).toEqual(['desired.changed']);
  });

  it('merge nested objects', () => {
    const s = next(onlineTwin(), desired({ cfg: { a: 1, b: 2 } }, T0 + SEC));
    expect(next(s, desired({ cfg: { b: null, c: 3 } }, T0 + 2 * SEC)).desired).toEqual({
      cfg: { a: 1, c: 3 },
    });
  });

  it('cannot pollute through a hand-built patch', () => {
    const patch = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"a":{"__proto__":{"polluted":1}}}',
    );
    const s = next(onlineTwin(), desired(patch, T0 + SEC));
    expect(s.desired).toEqual({ a: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('ifVersion (optimistic concurrency)', () => {
  it('applies when it equals the current version', () => {
    const s = onlineTwin(); // version 1
    expect(fold(s, desired({ a: 1 }, T0 + SEC, { ifVersion: 1 })).outcome).toBe('changed');
  });

  it('rejects a mismatch: no change, desired.rejected with VERSION_CONFLICT and the requestId', () => {
    const s = onlineTwin();
    const r = fold(s, desired({ a: 1 }, T0 + SEC, { ifVersion: 7, requestId: 'req-7' }));
    expect(r).toEqual({
      state: undefined,
      downlink: [],
      outcome: 'ignored',
      reason: 'version-conflict',
      events: [
        {
          type: 'desired.rejected',
          deviceId: ID,
          version: 1,
          timestamp: toIso(T0 + SEC),
          data: { code: 'VERSION_CONFLICT', expectedVersion: 7, actualVersion: 1, requestId: 'req-7' },
        },
      ],
    });
  });

  it('never creates a twin, whatever the ifVersion', () => {
    for (const ifVersion of [0, 3]) {
      expect(fold(undefined, desired({ a: 1 }, T0, { ifVersion }))).toMatchObject({
        state: undefined,
        outcome: 'ignored',
        reason: 'unknown-twin',
      });
    }
  });
});
