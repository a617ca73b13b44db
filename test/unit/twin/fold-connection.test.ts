import { tickTwin, toIso, type TwinState } from '../../../topology/twin';
import {
  command,
  CONFIG,
  deviceError,
  desired,
  eventTypes,
  fold,
  MIN,
  next,
  offlineTwin,
  onlineTwin,
  SEC,
  stateMsg,
  status,
  T0,
  telemetry,
} from './helpers';

function unknownTwin(): TwinState {
  const r = tickTwin(onlineTwin(), T0 + 10 * MIN, CONFIG);
  if (!r.state) throw new Error('tick did not change the twin');
  return r.state;
}

describe('status messages', () => {
  it('offline: status, since = status time, lastSeen = record time, disconnected event', () => {
    const r = fold(onlineTwin(), status('offline', T0 + 5 * SEC), T0 + 6 * SEC);
    expect(r.outcome).toBe('changed');
    expect(r.state?.connection).toEqual({ status: 'offline', since: T0 + 5 * SEC, lastSeen: T0 + 6 * SEC });
    expect(r.events).toEqual([
      {
        type: 'disconnected',
        deviceId: 'sensor-001',
        version: 2,
        timestamp: toIso(T0 + 6 * SEC),
        data: { since: toIso(T0 + 5 * SEC), previous: 'online' },
      },
    ]);
  });

  it('online after offline: connected event', () => {
    const r = fold(offlineTwin(), status('online', T0 + 10 * SEC));
    expect(r.state?.connection).toEqual({ status: 'online', since: T0 + 10 * SEC, lastSeen: T0 + 10 * SEC });
    expect(eventTypes(r)).toEqual(['connected']);
    expect(r.events[0]?.data).toEqual({ since: toIso(T0 + 10 * SEC), previous: 'offline' });
  });

  it('ignores a status older than the current one (LWW), touching nothing', () => {
    const off = offlineTwin(); // offline since T0 + 1s
    const r = fold(off, status('online', T0 + 500), T0 + 60 * SEC);
    expect(r).toEqual({
      state: undefined,
      events: [],
      downlink: [],
      outcome: 'ignored',
      reason: 'stale-status',
    });
  });

  it('applies a status at exactly `since` (later message wins)', () => {
    const r = fold(offlineTwin(), status('online', T0 + SEC));
    expect(r.state?.connection.status).toBe('online');
  });

  it('treats a replayed status as unchanged', () => {
    const off = offlineTwin();
    expect(fold(off, status('offline', T0 + SEC)).outcome).toBe('unchanged');
    // Online replayed while a command is in flight: not a reconnect, so no redelivery.
    const on = next(next(off, status('online', T0 + 2 * SEC)), command('c1', T0 + 2 * SEC));
    expect(fold(on, status('online', T0 + 2 * SEC))).toMatchObject({ outcome: 'unchanged', downlink: [] });
  });

  it('keeps the first since for a repeated offline and only moves lastSeen', () => {
    const r = fold(offlineTwin(), status('offline', T0 + 9 * SEC));
    expect(r.state?.connection).toEqual({ status: 'offline', since: T0 + SEC, lastSeen: T0 + 9 * SEC });
    expect(r.events).toEqual([]);
  });

  it('treats a later online while online as a reconnect', () => {
    const r = fold(onlineTwin(), status('online', T0 + 5 * SEC));
    expect(r.state?.connection).toEqual({ status: 'online', since: T0 + 5 * SEC, lastSeen: T0 + 5 * SEC });
    expect(eventTypes(r)).toEqual(['connected']);
    expect(r.events[0]?.data.previous).toBe('online');
  });

  it('creates a twin on an unknown device, offline included', () => {
    const r = fold(undefined, status('offline', T0));
    expect(r.state).toMatchObject({
      lifecycle: 'active',
      connection: { status: 'offline', since: T0, lastSeen: T0 },
    });
    expect(eventTypes(r)).toEqual(['twin.created', 'disconnected']);
    expect(r.events[1]?.data.previous).toBe('unknown');
  });

  it('uses the payload time for since and LWW, the record time for lastSeen', () => {
    const r = fold(onlineTwin(), status('offline', T0 + 3 * SEC), T0 + 8 * SEC);
    expect(r.state?.connection).toEqual({ status: 'offline', since: T0 + 3 * SEC, lastSeen: T0 + 8 * SEC });
  });
});

describe('implicit online from device messages', () => {
  it('telemetry brings an offline twin online (connected)', () => {
    const r = fold(offlineTwin(), telemetry({ a: 1 }, T0 + 5 * SEC));
    expect(r.state?.connection).toEqual({ status: 'online', since: T0 + 5 * SEC, lastSeen: T0 + 5 * SEC });
    expect(eventTypes(r)).toEqual(['connected']);
  });

  it('does not bring it online with a message received before it went offline', () => {
    const off = next(onlineTwin(), status('offline', T0 + 10 * SEC), T0 + 10 * SEC);
    const r = fold(off, telemetry({ a: 2 }, T0 + 5 * SEC), T0 + 5 * SEC);
    expect(r.outcome).toBe('changed'); // the reading is newer than the one held
    expect(r.state?.connection).toEqual(off.connection);
    expect(eventTypes(r)).toEqual([]);
  });

  it('brings an unknown twin online whatever the record time (unknown is only a presumption)', () => {
    const unknown = unknownTwin();
    const r = fold(unknown, deviceError('E1', 'x', T0 + 30 * SEC));
    expect(r.state?.connection.status).toBe('online');
    expect(eventTypes(r)).toContain('connected');
  });

  it('state, error and ack messages count as liveness too', () => {
    expect(next(offlineTwin(), stateMsg({ a: 1 }, T0 + 5 * SEC)).connection.status).toBe('online');
    expect(next(offlineTwin(), deviceError('E', 'm', T0 + 5 * SEC)).connection.status).toBe('online');
  });

  it('never moves lastSeen backwards', () => {
    const s1 = next(onlineTwin(), telemetry({ b: 1 }, T0 + 10 * SEC));
    const r = fold(s1, telemetry({ c: 1 }, T0 + 20 * SEC), T0 + 5 * SEC);
    expect(r.state?.connection.lastSeen).toBe(T0 + 10 * SEC);
  });

  it('sends the desired state on reconnect when the delta is non-empty, computed after the message', () => {
    const off = next(
      next(onlineTwin({ interval: 5 }), desired({ interval: 10, mode: 'eco' }, T0 + SEC)),
      status('offline', T0 + 2 * SEC),
    );
    const r = fold(off, telemetry({ interval: 10 }, T0 + 3 * SEC));
    expect(r.downlink).toEqual([
      {
        kind: 'desired',
        deviceId: 'sensor-001',
        payload: { version: 4, desired: { interval: 10, mode: 'eco' }, delta: { mode: 'eco' } },
      },
    ]);
  });

  it('sends no desired state on reconnect when converged', () => {
    const off = next(
      next(onlineTwin({ interval: 10 }), desired({ interval: 10 }, T0 + SEC)),
      status('offline', T0 + 2 * SEC),
    );
    expect(fold(off, status('online', T0 + 3 * SEC)).downlink).toEqual([]);
  });
});

describe('device errors', () => {
  it('record lastError and raise an alert', () => {
    const r = fold(onlineTwin(), deviceError('E42', 'sensor fault', T0 + SEC, { pin: 3 }));
    expect(r.state?.lastError).toEqual({
      code: 'E42',
      message: 'sensor fault',
      details: { pin: 3 },
      timestamp: T0 + SEC,
    });
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'alert',
        data: { source: 'device', code: 'E42', message: 'sensor fault', details: { pin: 3 } },
      }),
    ]);
  });

  it('treat an exact replay as unchanged', () => {
    const s = next(onlineTwin(), deviceError('E42', 'x', T0 + SEC));
    expect(fold(s, deviceError('E42', 'x', T0 + SEC)).outcome).toBe('unchanged');
  });

  it('raise the alert again when the same error recurs later', () => {
    const s = next(onlineTwin(), deviceError('E42', 'x', T0 + SEC));
    expect(eventTypes(fold(s, deviceError('E42', 'x', T0 + 2 * SEC)))).toEqual(['alert']);
  });

  it('auto-discover a twin', () => {
    expect(eventTypes(fold(undefined, deviceError('BOOT', 'crashed')))).toEqual([
      'twin.created',
      'alert',
      'connected',
    ]);
  });
});
