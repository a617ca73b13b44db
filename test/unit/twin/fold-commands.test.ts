import {
  type CommandEntry,
  type FoldConfig,
  foldTwin,
  toIso,
  type TwinInput,
  type TwinState,
} from '../../../topology/twin';
import {
  ack,
  CONFIG,
  command,
  desired,
  eventsOf,
  fold,
  ID,
  MIN,
  next,
  offlineTwin,
  onlineTwin,
  SEC,
  status,
  T0,
  telemetry,
} from './helpers';

const HOUR = 60 * MIN;
const statuses = (s: TwinState): [string, string][] => s.commands.map((c) => [c.commandId, c.status]);
const cmd = (s: TwinState | null | undefined, id: string): CommandEntry | undefined =>
  s?.commands.find((c) => c.commandId === id);

function foldWith(config: FoldConfig, state: TwinState | undefined, input: TwinInput): TwinState {
  const r = foldTwin(state, input, { nowMs: input.timestampMs, config });
  const out = r.state ?? state;
  if (!out) throw new Error('no twin');
  return out;
}

describe('new commands', () => {
  it('queue as PENDING for an offline device, with no downlink', () => {
    const r = fold(offlineTwin(), command('c1', T0 + 2 * SEC, { requestId: 'r1', parameters: { delay: 5 } }));
    expect(r.state?.commands).toEqual([
      {
        commandId: 'c1',
        action: 'reboot',
        parameters: { delay: 5 },
        priority: 0,
        status: 'pending',
        createdAt: T0 + 2 * SEC,
        expiresAt: T0 + 2 * SEC + HOUR,
        attempts: 0,
      },
    ]);
    expect(r.events).toEqual([
      {
        type: 'command.status',
        deviceId: ID,
        version: 3,
        timestamp: toIso(T0 + 2 * SEC),
        data: {
          commandId: 'c1',
          action: 'reboot',
          status: 'pending',
          previous: null,
          attempts: 0,
          requestId: 'r1',
        },
      },
    ]);
    expect(r.downlink).toEqual([]);
  });

  it('are delivered at once to an online device', () => {
    const r = fold(onlineTwin(), command('c1', T0 + SEC, { ttlMs: 90_500, parameters: { x: 1 } }));
    expect(cmd(r.state, 'c1')).toMatchObject({
      status: 'delivered',
      attempts: 1,
      deliveredAt: T0 + SEC,
      expiresAt: T0 + SEC + 90_500,
    });
    expect(r.events.map((e) => [e.data.status, e.data.previous])).toEqual([
      ['pending', null],
      ['delivered', 'pending'],
    ]);
    expect(r.downlink).toEqual([
      {
        kind: 'command',
        deviceId: ID,
        payload: {
          command_id: 'c1',
          action: 'reboot',
          parameters: { x: 1 },
          timestamp: toIso(T0 + SEC),
          timeout: 91,
        },
      },
    ]);
  });

  it('use the configured default TTL', () => {
    const config = { ...CONFIG, defaultCommandTtlMs: 5 * SEC };
    expect(cmd(foldWith(config, offlineTwin(), command('c1', T0 + 2 * SEC)), 'c1')?.expiresAt).toBe(
      T0 + 7 * SEC,
    );
  });

  it('with a duplicate command_id are ignored, even after completion', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC));
    expect(fold(s, command('c1', T0 + 2 * SEC, { action: 'other' }))).toMatchObject({
      outcome: 'ignored',
      reason: 'duplicate-command',
      state: undefined,
    });
    const done = next(s, ack('c1', 'success', T0 + 2 * SEC));
    expect(fold(done, command('c1', T0 + 3 * SEC)).reason).toBe('duplicate-command');
  });

  it('are ordered by priority DESC then arrival', () => {
    let s = offlineTwin();
    const arrivals: [string, number][] = [
      ['a', 0],
      ['b', 5],
      ['c', 0],
      ['d', 5],
      ['e', 10],
      ['f', -1],
      ['g', 0],
    ];
    arrivals.forEach(([id, priority], i) => {
      s = next(s, command(id, T0 + (i + 2) * SEC, { priority }));
    });
    expect(s.commands.map((c) => c.commandId)).toEqual(['e', 'b', 'd', 'a', 'c', 'g', 'f']);
  });
});

describe('redelivery on (re)connect', () => {
  function queued(): TwinState {
    let s = onlineTwin();
    s = next(s, command('delivered', T0 + SEC, { priority: 1 })); // delivered while online
    s = next(s, status('offline', T0 + 2 * SEC));
    s = next(s, command('low', T0 + 3 * SEC, { priority: 0 }));
    s = next(s, command('high', T0 + 4 * SEC, { priority: 9 }));
    s = next(s, command('short', T0 + 5 * SEC, { ttlMs: 10 * SEC })); // expires at T0 + 15s
    s = next(s, command('done', T0 + 6 * SEC, { priority: 20 }));
    return next(s, ack('done', 'success', T0 + 7 * SEC), T0 + 1); // ack received before the disconnect
  }

  it('redelivers every open, unexpired command in queue order and expires the overdue ones', () => {
    const s = queued();
    expect(s.connection.status).toBe('offline');
    const r = fold(s, status('online', T0 + 20 * SEC));
    expect(r.downlink.map((d) => (d.kind === 'command' ? d.payload.command_id : d.kind))).toEqual([
      'high',
      'delivered',
      'low',
    ]);
    expect(statuses(r.state as TwinState)).toEqual([
      ['done', 'acknowledged'],
      ['high', 'delivered'],
      ['delivered', 'delivered'],
      ['low', 'delivered'],
      ['short', 'expired'],
    ]);
    expect(cmd(r.state, 'delivered')).toMatchObject({ attempts: 2, deliveredAt: T0 + 20 * SEC });
    expect(cmd(r.state, 'short')).toMatchObject({ completedAt: T0 + 15 * SEC });
    // Status events only for real status changes: no event for the already-DELIVERED one.
    expect(eventsOf(r, 'command.status').map((e) => [e.data.commandId, e.data.status])).toEqual([
      ['high', 'delivered'],
      ['low', 'delivered'],
      ['short', 'expired'],
    ]);
  });

  it('does not deliver a command at exactly its expiresAt: it expires', () => {
    const s = next(offlineTwin(), command('c1', T0 + 2 * SEC, { ttlMs: 10 * SEC }));
    const r = fold(s, status('online', T0 + 12 * SEC));
    expect(cmd(r.state, 'c1')).toMatchObject({ status: 'expired', attempts: 0 });
    expect(r.downlink).toEqual([]);
    const justBefore = fold(s, status('online', T0 + 12 * SEC - 1));
    expect(cmd(justBefore.state, 'c1')).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(justBefore.downlink[0]?.payload).toMatchObject({ timeout: 1 });
  });

  it('reports the seconds left as timeout', () => {
    const r = fold(queued(), telemetry({ a: 1 }, T0 + 20 * SEC));
    const high = r.downlink.find((d) => d.kind === 'command' && d.payload.command_id === 'high');
    expect(high?.payload).toMatchObject({ timeout: 3600 - 16, timestamp: toIso(T0 + 4 * SEC) });
  });

  it('sends the desired state before the commands when the delta is non-empty', () => {
    const s = next(queued(), desired({ mode: 'eco' }, T0 + 8 * SEC));
    const r = fold(s, status('online', T0 + 20 * SEC));
    expect(r.downlink.map((d) => d.kind)).toEqual(['desired', 'command', 'command', 'command']);
  });

  it('also happens on a reconnect announced while already online', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC));
    const r = fold(s, status('online', T0 + 30 * SEC));
    expect(r.downlink).toHaveLength(1);
    expect(cmd(r.state, 'c1')?.attempts).toBe(2);
  });

  it('does not happen for messages from a device that stays online', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC));
    expect(fold(s, telemetry({ t: 1 }, T0 + 2 * SEC)).downlink).toEqual([]);
  });
});

describe('a command whose downlink the bridge would dead-letter', () => {
  const limits = { maxBytes: 4096, maxDepth: 6, maxKeys: 20 };
  const config: FoldConfig = { ...CONFIG, downlinkLimits: limits };
  const keys = (n: number): Record<string, number> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

  it.each([
    ['too many keys', { parameters: keys(13) }, 'LIMIT_EXCEEDED'],
    ['too deep', { parameters: { a: { b: { c: { d: { e: 1 } } } } } }, 'LIMIT_EXCEEDED'],
    ['too large', { parameters: { blob: 'x'.repeat(5000) } }, 'PAYLOAD_TOO_LARGE'],
  ])('fails at once with the reason, online or not, and is never delivered (%s)', (_what, extra, code) => {
    for (const twin of [onlineTwin(), offlineTwin()]) {
      const r = foldTwin(twin, command('c1', T0 + SEC, extra), { nowMs: T0 + SEC, config });
      expect(cmd(r.state, 'c1')).toMatchObject({
        status: 'failed',
        attempts: 0,
        completedAt: T0 + SEC,
        error: expect.stringMatching(new RegExp(`^downlink:${code}: `)),
      });
      expect(r.downlink).toEqual([]);
      expect(r.events.filter((e) => e.type === 'command.status').map((e) => e.data.status)).toEqual([
        'pending',
        'failed',
      ]);
    }
  });

  it('just within the limits is delivered', () => {
    // The record's own keys (kind, deviceId, payload and its five) leave 12 for the parameters.
    const r = foldTwin(onlineTwin(), command('c1', T0 + SEC, { parameters: keys(12) }), {
      nowMs: T0 + SEC,
      config,
    });
    expect(cmd(r.state, 'c1')?.status).toBe('delivered');
    expect(r.downlink).toHaveLength(1);
  });
});

describe('acks', () => {
  const delivered = (): TwinState => next(onlineTwin(), command('c1', T0 + SEC));

  it('success -> ACKNOWLEDGED with the result kept', () => {
    const r = fold(delivered(), ack('c1', 'success', T0 + 2 * SEC, { uptime: 5 }));
    expect(cmd(r.state, 'c1')).toMatchObject({
      status: 'acknowledged',
      completedAt: T0 + 2 * SEC,
      result: { uptime: 5 },
      ackStatus: 'success',
      attempts: 1,
    });
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'command.status',
        data: {
          commandId: 'c1',
          action: 'reboot',
          status: 'acknowledged',
          previous: 'delivered',
          attempts: 1,
          ackStatus: 'success',
          result: { uptime: 5 },
        },
      }),
    ]);
  });

  it('success is case-insensitive', () => {
    expect(cmd(next(delivered(), ack('c1', 'SUCCESS', T0 + 2 * SEC)), 'c1')?.status).toBe('acknowledged');
  });

  it('failed with retries left -> PENDING, redelivered at once when online', () => {
    const r = fold(delivered(), ack('c1', 'failed', T0 + 2 * SEC, { err: 'busy' }));
    expect(cmd(r.state, 'c1')).toMatchObject({
      status: 'delivered',
      attempts: 2,
      deliveredAt: T0 + 2 * SEC,
      result: { err: 'busy' },
    });
    expect(r.events.map((e) => [e.data.status, e.data.previous])).toEqual([
      ['pending', 'delivered'],
      ['delivered', 'pending'],
    ]);
    expect(r.events[0]?.data.ackStatus).toBe('failed');
    expect(r.downlink).toHaveLength(1);
  });

  it('any other status counts as a failure', () => {
    expect(cmd(next(delivered(), ack('c1', 'rejected', T0 + 2 * SEC)), 'c1')?.attempts).toBe(2);
  });

  it('fails for good once attempts reach maxCommandRetries', () => {
    let s = delivered(); // attempts 1
    s = next(s, ack('c1', 'failed', T0 + 2 * SEC)); // attempts 2
    s = next(s, ack('c1', 'failed', T0 + 3 * SEC)); // attempts 3
    const r = fold(s, ack('c1', 'failed', T0 + 4 * SEC));
    expect(cmd(r.state, 'c1')).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'ack:failed',
      completedAt: T0 + 4 * SEC,
    });
    expect(r.downlink).toEqual([]);
    expect(r.events.map((e) => e.data.status)).toEqual(['failed']);
  });

  it('honours a custom maxCommandRetries', () => {
    const config = { ...CONFIG, maxCommandRetries: 1 };
    const s = foldWith(config, foldWith(config, undefined, telemetry({ a: 1 })), command('c1', T0 + SEC));
    expect(cmd(foldWith(config, s, ack('c1', 'failed', T0 + 2 * SEC)), 'c1')?.status).toBe('failed');
  });

  it('a failure heard while the device counts as offline stays PENDING until the device is back', () => {
    const s = next(delivered(), status('offline', T0 + 10 * SEC));
    const r = fold(s, ack('c1', 'failed', T0 + 5 * SEC)); // received before the disconnect
    expect(cmd(r.state, 'c1')).toMatchObject({ status: 'pending', attempts: 1 });
    expect(r.downlink).toEqual([]);
    const back = fold(r.state ?? undefined, status('online', T0 + 20 * SEC));
    expect(cmd(back.state, 'c1')).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('an ack that brings the device back does not redeliver the command it settles', () => {
    const s = next(delivered(), status('offline', T0 + 2 * SEC));
    const r = fold(s, ack('c1', 'success', T0 + 3 * SEC));
    expect(r.state?.connection.status).toBe('online');
    expect(cmd(r.state, 'c1')?.status).toBe('acknowledged');
    expect(r.downlink).toEqual([]);
  });

  it('a failed ack that brings the device back redelivers the command once', () => {
    const s = next(delivered(), status('offline', T0 + 2 * SEC));
    const r = fold(s, ack('c1', 'failed', T0 + 3 * SEC));
    expect(r.downlink).toHaveLength(1);
    expect(cmd(r.state, 'c1')?.attempts).toBe(2);
  });

  it('a retry past the expiry expires instead of redelivering', () => {
    const s = next(onlineTwin(), command('c1', T0 + SEC, { ttlMs: 5 * SEC }));
    const r = fold(s, ack('c1', 'failed', T0 + 10 * SEC));
    expect(cmd(r.state, 'c1')).toMatchObject({ status: 'expired', completedAt: T0 + 6 * SEC });
    expect(r.downlink).toEqual([]);
  });

  it('success for a PENDING command is accepted (the device did it anyway)', () => {
    const s = next(offlineTwin(), command('c1', T0 + 2 * SEC));
    expect(cmd(next(s, ack('c1', 'success', T0 + 3 * SEC)), 'c1')?.status).toBe('acknowledged');
  });

  it('for unknown or terminal commands are ignored, touching nothing (not even lastSeen)', () => {
    const s = delivered();
    const ignoredResult = {
      state: undefined,
      events: [],
      downlink: [],
      outcome: 'ignored',
      reason: 'unknown-command-ack',
    };
    expect(fold(s, ack('nope', 'success', T0 + 9 * SEC))).toEqual(ignoredResult);
    const done = next(s, ack('c1', 'success', T0 + 2 * SEC));
    expect(fold(done, ack('c1', 'success', T0 + 9 * SEC))).toEqual(ignoredResult);
    expect(fold(done, ack('c1', 'failed', T0 + 9 * SEC))).toEqual(ignoredResult);
  });

  it('update liveness', () => {
    const r = fold(delivered(), ack('c1', 'success', T0 + 9 * SEC));
    expect(r.state?.connection.lastSeen).toBe(T0 + 9 * SEC);
  });
});

describe('history', () => {
  it('keeps at most maxCommandHistory terminal commands, dropping the oldest completed first', () => {
    const config = { ...CONFIG, maxCommandHistory: 2 };
    let s = foldWith(config, undefined, status('offline', T0));
    for (const id of ['a', 'b', 'c', 'd', 'open']) s = foldWith(config, s, command(id, T0 + SEC));
    // Complete in the order c, a, d, b: c and a are the oldest completed, so they go.
    ['c', 'a', 'd', 'b'].forEach((id, i) => {
      s = foldWith(config, s, ack(id, 'success', T0 + (10 + i) * SEC));
    });
    // Queue order is kept for what remains (the acks brought the device online: open is delivered).
    expect(s.commands.map((c) => [c.commandId, c.status])).toEqual([
      ['b', 'acknowledged'],
      ['d', 'acknowledged'],
      ['open', 'delivered'],
    ]);
  });

  it('never drops open commands', () => {
    const config = { ...CONFIG, maxCommandHistory: 0 };
    let s = foldWith(config, undefined, status('offline', T0));
    for (const id of ['a', 'b', 'c']) s = foldWith(config, s, command(id, T0 + SEC));
    expect(s.commands).toHaveLength(3);
    s = foldWith(config, s, ack('b', 'success', T0 + 2 * SEC));
    expect(s.commands.map((c) => c.commandId)).toEqual(['a', 'c']);
  });
});
