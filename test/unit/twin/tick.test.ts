import { nextDeadline, tickTwin, toIso, type TwinState } from '../../../topology/twin';
import {
  ack,
  CONFIG,
  command,
  deepFreeze,
  fold,
  MIN,
  next,
  offlineTwin,
  onlineTwin,
  registry,
  SEC,
  T0,
  telemetry,
} from './helpers';

const OFFLINE_AFTER = CONFIG.offlineAfterMs;

function tick(state: TwinState, nowMs: number) {
  return tickTwin(deepFreeze(structuredClone(state)), nowMs, CONFIG);
}

describe('tickTwin: silence', () => {
  it('turns an online twin silent for longer than offlineAfterMs into unknown', () => {
    const s = onlineTwin(); // lastSeen T0, version 1
    const now = T0 + OFFLINE_AFTER + 7 * SEC;
    const r = tick(s, now);
    expect(r.outcome).toBe('changed');
    expect(r.state).toMatchObject({
      connection: { status: 'unknown', since: T0 + OFFLINE_AFTER, lastSeen: T0 },
      version: 2,
      updatedAt: now,
    });
    expect(r.events).toEqual([
      {
        type: 'connection.unknown',
        deviceId: 'sensor-001',
        version: 2,
        timestamp: toIso(now),
        data: { since: toIso(T0 + OFFLINE_AFTER), lastSeen: toIso(T0) },
      },
    ]);
  });

  it('does nothing at exactly offlineAfterMs of silence', () => {
    expect(tick(onlineTwin(), T0 + OFFLINE_AFTER)).toEqual({
      state: undefined,
      events: [],
      downlink: [],
      outcome: 'unchanged',
    });
    expect(tick(onlineTwin(), T0 + OFFLINE_AFTER + 1).outcome).toBe('changed');
  });

  it('measures silence from lastSeen, not since', () => {
    const s = next(onlineTwin(), telemetry({ a: 2 }, T0 + 4 * MIN));
    expect(tick(s, T0 + OFFLINE_AFTER + SEC).outcome).toBe('unchanged');
  });

  it('leaves offline and unknown twins alone', () => {
    expect(tick(offlineTwin(), T0 + 24 * 60 * MIN).outcome).toBe('unchanged');
    const unknown = tick(onlineTwin(), T0 + OFFLINE_AFTER + 1).state as TwinState;
    expect(tick(unknown, T0 + 24 * 60 * MIN).outcome).toBe('unchanged');
  });

  it('gives the same state whenever the timer fires (only updatedAt and event times differ)', () => {
    const a = tick(onlineTwin(), T0 + OFFLINE_AFTER + 1).state as TwinState;
    const b = tick(onlineTwin(), T0 + OFFLINE_AFTER + 9 * MIN).state as TwinState;
    expect({ ...a, updatedAt: 0 }).toEqual({ ...b, updatedAt: 0 });
  });
});

describe('tickTwin: command expiry', () => {
  function withCommands(): TwinState {
    let s = offlineTwin();
    s = next(s, command('short', T0 + 2 * SEC, { ttlMs: 10 * SEC }));
    s = next(s, command('long', T0 + 2 * SEC, { ttlMs: 60 * MIN }));
    s = next(s, command('done', T0 + 2 * SEC, { ttlMs: 5 * SEC }));
    return next(s, ack('done', 'success', T0 + 3 * SEC), T0 + 500);
  }

  it('expires open commands at expiresAt, stamping completedAt with the deadline', () => {
    const s = withCommands();
    const now = T0 + 30 * SEC;
    const r = tick(s, now);
    expect(r.state?.commands.map((c) => [c.commandId, c.status, c.completedAt])).toEqual([
      ['short', 'expired', T0 + 12 * SEC],
      ['long', 'pending', undefined],
      ['done', 'acknowledged', T0 + 500], // record time of the ack
    ]);
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'command.status',
        timestamp: toIso(now),
        data: { commandId: 'short', action: 'reboot', status: 'expired', previous: 'pending', attempts: 0 },
      }),
    ]);
    expect(r.state?.version).toBe(s.version + 1);
  });

  it('expires at exactly expiresAt, not before', () => {
    const s = withCommands();
    expect(tick(s, T0 + 12 * SEC - 1).outcome).toBe('unchanged');
    expect(tick(s, T0 + 12 * SEC).outcome).toBe('changed');
  });

  it('expires DELIVERED commands too', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC, { ttlMs: 10 * SEC }));
    const r = tick(next(s, telemetry({ a: 1 }, T0 + 2 * MIN)), T0 + 3 * MIN);
    expect(r.state?.commands[0]).toMatchObject({ status: 'expired', attempts: 1 });
  });

  it('expires commands and marks unknown in one tick, one version', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC, { ttlMs: 10 * SEC }));
    const r = tick(s, T0 + 60 * MIN);
    expect(r.events.map((e) => e.type)).toEqual(['command.status', 'connection.unknown']);
    expect(r.state?.version).toBe(s.version + 1);
  });

  it('never mutates the state it is given (frozen input)', () => {
    const s = deepFreeze(withCommands());
    expect(() => tickTwin(s, T0 + 99 * MIN, CONFIG)).not.toThrow();
  });
});

describe('nextDeadline', () => {
  it('is null when nothing can change', () => {
    expect(nextDeadline(offlineTwin(), CONFIG)).toBeNull();
    expect(nextDeadline(next(onlineTwin(), registry('decommission', T0 + SEC)), CONFIG)).toBeNull();
  });

  it('is the first ms of excess silence for an online twin', () => {
    expect(nextDeadline(onlineTwin(), CONFIG)).toBe(T0 + OFFLINE_AFTER + 1);
  });

  it('is the earliest open command expiry when sooner', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC, { ttlMs: 10 * SEC }));
    expect(nextDeadline(s, CONFIG)).toBe(T0 + 11 * SEC);
    const offline = next(offlineTwin(), command('c2', T0 + 2 * SEC, { ttlMs: 3 * MIN }));
    expect(nextDeadline(offline, CONFIG)).toBe(T0 + 2 * SEC + 3 * MIN);
  });

  it('ignores terminal commands', () => {
    const s = next(
      next(offlineTwin(), command('c1', T0 + 2 * SEC, { ttlMs: SEC })),
      ack('c1', 'success', T0 + 1),
      T0 + 1,
    );
    expect(nextDeadline(s, CONFIG)).toBeNull();
  });

  it('is exact: ticking 1 ms before is a no-op, ticking at it changes the twin', () => {
    const twins = [
      onlineTwin(),
      next(onlineTwin(), command('c1', T0 + SEC, { ttlMs: 10 * SEC })),
      next(offlineTwin(), command('c2', T0 + 2 * SEC, { ttlMs: 3 * MIN })),
    ];
    for (const s of twins) {
      const at = nextDeadline(s, CONFIG) as number;
      expect(tick(s, at - 1).outcome).toBe('unchanged');
      expect(tick(s, at).outcome).toBe('changed');
    }
  });

  it('moves on after a tick', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC, { ttlMs: 10 * SEC }));
    const after = tick(s, T0 + 11 * SEC).state as TwinState;
    expect(nextDeadline(after, CONFIG)).toBe(T0 + OFFLINE_AFTER + 1);
  });
});

describe('fold and tick together', () => {
  it('an unknown twin comes back online with the next message and gets its queue', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC));
    const unknown = tick(s, T0 + 10 * MIN).state as TwinState;
    const r = fold(unknown, telemetry({ a: 1 }, T0 + 11 * MIN));
    expect(r.state?.connection.status).toBe('online');
    expect(r.downlink).toHaveLength(1);
  });
});
