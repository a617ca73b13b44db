import { foldTwin, toIso } from '../../../topology/twin';
import {
  CONFIG,
  eventTypes,
  eventsOf,
  fold,
  ID,
  next,
  onlineTwin,
  SEC,
  stateMsg,
  T0,
  telemetry,
} from './helpers';

describe('telemetry on an unknown device (auto-discovery)', () => {
  it('creates an active, online twin at version 1 with the readings', () => {
    const result = fold(undefined, telemetry({ temperature: 23.5, humidity: 65 }, T0));
    expect(result.outcome).toBe('changed');
    expect(result.state).toEqual({
      id: ID,
      type: 'unknown',
      lifecycle: 'active',
      connection: { status: 'online', since: T0, lastSeen: T0 },
      reported: { temperature: 23.5, humidity: 65 },
      desired: {},
      metadata: {
        reported: { temperature: { timestamp: T0, version: 1 }, humidity: { timestamp: T0, version: 1 } },
        desired: {},
      },
      attributes: {},
      version: 1,
      stateVersion: null,
      commands: [],
      lastError: null,
      createdAt: T0,
      updatedAt: T0,
    });
    expect(eventTypes(result)).toEqual(['twin.created', 'connected']);
    expect(result.events[0]).toEqual({
      type: 'twin.created',
      deviceId: ID,
      version: 1,
      timestamp: toIso(T0),
      data: { lifecycle: 'active', type: 'unknown', origin: 'telemetry' },
    });
    expect(result.downlink).toEqual([]);
  });

  it('stamps readings with the reading time and liveness with the record time', () => {
    const readingTime = T0 - 30 * SEC;
    const state = next(undefined, telemetry({ a: 1 }, readingTime), T0);
    expect(state.metadata.reported.a).toEqual({ timestamp: readingTime, version: 1 });
    expect(state.connection).toEqual({ status: 'online', since: T0, lastSeen: T0 });
    expect(state.createdAt).toBe(T0);
  });
});

describe('telemetry merge', () => {
  it('merges field by field and bumps the version once per change', () => {
    const s1 = onlineTwin({ a: 1, b: 2 });
    const r = fold(s1, telemetry({ b: 3, c: 4 }, T0 + SEC));
    expect(r.outcome).toBe('changed');
    expect(r.state).toMatchObject({
      reported: { a: 1, b: 3, c: 4 },
      version: 2,
      updatedAt: T0 + SEC,
      metadata: {
        reported: {
          a: { timestamp: T0, version: 1 },
          b: { timestamp: T0 + SEC, version: 2 },
          c: { timestamp: T0 + SEC, version: 2 },
        },
      },
    });
    expect(r.events).toEqual([]);
  });

  it('deletes a field with null', () => {
    const s = next(onlineTwin({ a: 1, b: 2 }), telemetry({ a: null }, T0 + SEC));
    expect(s.reported).toEqual({ b: 2 });
  });

  it('does not let an older reading overwrite a newer one (out-of-order timestamps)', () => {
    const s1 = next(onlineTwin({ a: 1 }), telemetry({ a: 10 }, T0 + 10 * SEC));
    // Older reading arriving later, with a later record time: lastSeen moves, the value does not.
    const r = fold(s1, telemetry({ a: 5 }, T0 + 5 * SEC), T0 + 20 * SEC);
    expect(r.outcome).toBe('changed');
    expect(r.state?.reported.a).toBe(10);
    expect(r.state?.metadata.reported.a).toEqual({ timestamp: T0 + 10 * SEC, version: 2 });
    expect(r.state?.connection.lastSeen).toBe(T0 + 20 * SEC);
  });

  it('reports an older reading that moves nothing as unchanged', () => {
    const s1 = next(onlineTwin({ a: 1 }), telemetry({ a: 10 }, T0 + 10 * SEC));
    const r = fold(s1, telemetry({ a: 5 }, T0 + 5 * SEC), T0 + 5 * SEC);
    expect(r).toEqual({ state: undefined, events: [], downlink: [], outcome: 'unchanged' });
  });

  it('lets the later message win on equal timestamps', () => {
    const s1 = onlineTwin({ a: 1 });
    expect(next(s1, telemetry({ a: 2 }, T0)).reported.a).toBe(2);
  });

  it('treats an exact replay as unchanged (no version bump)', () => {
    const s1 = onlineTwin({ a: 1, n: { x: 1 } });
    const r = fold(s1, telemetry({ a: 1, n: { x: 1 } }, T0));
    expect(r.outcome).toBe('unchanged');
    expect(r.state).toBeUndefined();
  });

  it('counts an identical value at a newer time as a change (timestamp and lastSeen move)', () => {
    const r = fold(onlineTwin({ a: 1 }), telemetry({ a: 1 }, T0 + SEC));
    expect(r.outcome).toBe('changed');
    expect(r.state?.metadata.reported.a).toEqual({ timestamp: T0 + SEC, version: 2 });
  });

  it('merge-patches inside object fields, LWW on the top-level field', () => {
    const s1 = onlineTwin({ gps: { lat: 1, lon: 2 } });
    const s2 = next(s1, telemetry({ gps: { lat: 3, lon: null } }, T0 + SEC));
    expect(s2.reported.gps).toEqual({ lat: 3 });
    const r = fold(s2, telemetry({ gps: { lon: 9 } }, T0 + 500), T0 + SEC);
    expect(r.outcome).toBe('unchanged');
  });

  it('does not resurrect a deleted field with an older reading (tombstone)', () => {
    const s1 = next(onlineTwin({ a: 1 }), telemetry({ a: null }, T0 + 10 * SEC));
    const r = fold(s1, telemetry({ a: 7 }, T0 + 5 * SEC), T0 + 10 * SEC);
    expect(r.outcome).toBe('unchanged');
  });
});

describe('state messages', () => {
  it('replace reported entirely and record the device version', () => {
    const s1 = onlineTwin({ a: 1, b: 2 });
    const s2 = next(s1, stateMsg({ b: 3, c: 4 }, T0 + SEC, 5));
    expect(s2.reported).toEqual({ b: 3, c: 4 });
    expect(s2.stateVersion).toBe(5);
    expect(s2.version).toBe(2);
  });

  it('ignore a version that is not newer, touching nothing (not even lastSeen)', () => {
    const s1 = next(onlineTwin(), stateMsg({ a: 1 }, T0 + SEC, 5));
    for (const v of [5, 4, 0]) {
      const r = fold(s1, stateMsg({ a: 99 }, T0 + 60 * SEC, v));
      expect(r).toEqual({
        state: undefined,
        events: [],
        downlink: [],
        outcome: 'ignored',
        reason: 'stale-state-version',
      });
    }
    expect(next(s1, stateMsg({ a: 99 }, T0 + 60 * SEC, 6)).reported).toEqual({ a: 99 });
  });

  it('apply a state without version and keep the last stateVersion', () => {
    const s1 = next(onlineTwin(), stateMsg({ a: 1 }, T0 + SEC, 5));
    const s2 = next(s1, stateMsg({ a: 2 }, T0 + 2 * SEC));
    expect(s2.reported).toEqual({ a: 2 });
    expect(s2.stateVersion).toBe(5);
  });

  it('accept version 0 as the first version', () => {
    expect(next(onlineTwin(), stateMsg({ a: 1 }, T0 + SEC, 0)).stateVersion).toBe(0);
  });

  it('keep fields written by newer readings (per-field LWW)', () => {
    const s1 = next(onlineTwin({ a: 1 }), telemetry({ b: 2 }, T0 + 10 * SEC));
    const s2 = next(s1, stateMsg({ a: 5 }, T0 + 5 * SEC, 1), T0 + 11 * SEC);
    expect(s2.reported).toEqual({ a: 5, b: 2 });
    expect(s2.stateVersion).toBe(1);
  });

  it('change only stateVersion when nothing else moves (still a change)', () => {
    const s1 = next(onlineTwin({ a: 1 }), stateMsg({ a: 1 }, T0, 1));
    const r = fold(s1, stateMsg({ a: 1 }, T0, 2));
    expect(r.outcome).toBe('changed');
    expect(r.state?.stateVersion).toBe(2);
  });

  it('auto-discover a twin', () => {
    const r = fold(undefined, stateMsg({ fw: '1.0' }, T0, 3));
    expect(r.state).toMatchObject({
      lifecycle: 'active',
      reported: { fw: '1.0' },
      stateVersion: 3,
      version: 1,
    });
    expect(eventTypes(r)).toEqual(['twin.created', 'connected']);
  });
});

describe('prototype pollution through the fold', () => {
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores prototype keys in hand-built readings, snapshots and stays clean', () => {
    const readings = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"a":1}',
    );
    const s1 = next(undefined, telemetry(readings));
    expect(s1.reported).toEqual({ a: 1 });
    expect(Object.keys(s1.metadata.reported)).toEqual(['a']);
    const s2 = next(s1, stateMsg(JSON.parse('{"__proto__":{"polluted":1},"b":1}'), T0 + 1));
    expect(s2.reported).toEqual({ b: 1 });
  });

  it('treats Object.prototype member names as plain fields', () => {
    const s1 = next(undefined, telemetry({ toString: 1, hasOwnProperty: { x: 1 } }));
    const r = foldTwin(s1, telemetry({ toString: 0 }, T0 - 1), { nowMs: T0, config: CONFIG });
    expect(r.outcome).toBe('unchanged');
    expect(eventsOf(r, 'delta.changed')).toEqual([]);
  });
});
