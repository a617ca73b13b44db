import { foldTwin, tickTwin, type TwinInput, type TwinState } from '../../../topology/twin';
import {
  ack,
  CONFIG,
  command,
  deviceError,
  desired,
  eventTypes,
  fold,
  ID,
  next,
  onlineTwin,
  registry,
  SEC,
  stateMsg,
  status,
  T0,
  telemetry,
} from './helpers';

const pendingTwin = (): TwinState =>
  next(undefined, registry('create', T0, { type: 'thermo', attributes: { room: 'A' } }));
const suspendedTwin = (): TwinState => next(onlineTwin(), registry('suspend', T0 + SEC));
const decommissionedTwin = (): TwinState => next(onlineTwin(), registry('decommission', T0 + SEC));

describe('registry create', () => {
  it('creates a pending twin with type and attributes (nulls dropped)', () => {
    const r = fold(
      undefined,
      registry('create', T0, { type: 'thermo', attributes: { room: 'A', x: null }, requestId: 'r1' }),
    );
    expect(r.outcome).toBe('changed');
    expect(r.state).toMatchObject({
      id: ID,
      type: 'thermo',
      lifecycle: 'pending',
      attributes: { room: 'A' },
      connection: { status: 'unknown', since: null, lastSeen: null },
      version: 1,
      createdAt: T0,
    });
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'twin.created',
        version: 1,
        data: { lifecycle: 'pending', type: 'thermo', origin: 'registry', requestId: 'r1' },
      }),
    ]);
  });

  it('defaults the type to unknown', () => {
    expect(next(undefined, registry('create')).type).toBe('unknown');
  });

  it('on an existing twin updates type and attributes without touching the lifecycle', () => {
    const r = fold(onlineTwin(), registry('create', T0 + SEC, { type: 'hygro', attributes: { room: 'B' } }));
    expect(r.state).toMatchObject({
      lifecycle: 'active',
      type: 'hygro',
      attributes: { room: 'B' },
      version: 2,
    });
    expect(eventTypes(r)).toEqual(['twin.updated']);
  });

  it('replayed is unchanged', () => {
    expect(
      fold(pendingTwin(), registry('create', T0, { type: 'thermo', attributes: { room: 'A' } })).outcome,
    ).toBe('unchanged');
  });
});

describe('registry update', () => {
  it('replaces the attributes as a whole with replaceAttributes', () => {
    const s = next(pendingTwin(), registry('update', T0 + SEC, { attributes: { floor: 2 } }));
    expect(s.attributes).toEqual({ room: 'A', floor: 2 });
    const r = fold(
      s,
      registry('update', T0 + 2 * SEC, { attributes: { wing: 'B' }, replaceAttributes: true }),
    );
    expect(r.state?.attributes).toEqual({ wing: 'B' });
    expect(r.events[0]?.data).toEqual({ type: 'thermo', attributes: { wing: 'B' } });
  });

  it('merge-patches attributes (null deletes) and keeps the type unless given', () => {
    const s = next(
      pendingTwin(),
      registry('update', T0 + SEC, { attributes: { room: null, floor: 2 }, requestId: 'r2' }),
    );
    expect(s).toMatchObject({ type: 'thermo', attributes: { floor: 2 } });
    const r = fold(s, registry('update', T0 + 2 * SEC, { type: 'x' }));
    expect(r.state).toMatchObject({ type: 'x', attributes: { floor: 2 } });
    expect(r.events[0]?.data).toEqual({ type: 'x', attributes: { floor: 2 } });
  });

  it('is unchanged when nothing differs', () => {
    expect(fold(pendingTwin(), registry('update', T0 + SEC, { type: 'thermo' })).outcome).toBe('unchanged');
    expect(fold(pendingTwin(), registry('update', T0 + SEC)).outcome).toBe('unchanged');
  });

  it('cannot pollute through attributes', () => {
    const attributes = JSON.parse(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"ok":1}',
    );
    const s = next(pendingTwin(), registry('update', T0 + SEC, { attributes }));
    expect(s.attributes).toEqual({ room: 'A', ok: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('unknown twins', () => {
  it.each(['update', 'suspend', 'resume', 'decommission', 'delete'] as const)('ignores registry %s', (op) => {
    expect(fold(undefined, registry(op))).toEqual({
      state: undefined,
      events: [],
      downlink: [],
      outcome: 'ignored',
      reason: 'unknown-twin',
    });
  });

  it('ignores an ack (there is no command to settle) without creating the twin', () => {
    expect(fold(undefined, ack('c1'))).toMatchObject({
      state: undefined,
      outcome: 'ignored',
      reason: 'unknown-command-ack',
    });
  });

  it.each<[string, TwinInput]>([
    ['desired patch', desired({ interval: 10 })],
    ['command', command('c1')],
  ])('ignores a %s: only a registry create or the device itself makes a twin', (_kind, input) => {
    expect(fold(undefined, input)).toEqual({
      state: undefined,
      events: [],
      downlink: [],
      outcome: 'ignored',
      reason: 'unknown-twin',
    });
  });

  it.each<[string, TwinInput]>([
    ['telemetry', telemetry({ a: 1 })],
    ['state', stateMsg({ a: 1 })],
    ['status', status('online')],
    ['error', deviceError('E', 'm')],
  ])('auto-discovers an active twin from %s', (_kind, input) => {
    const r = fold(undefined, input);
    expect(r.state).toMatchObject({ lifecycle: 'active', type: 'unknown', version: 1, createdAt: T0 });
  });
});

describe('pending -> active', () => {
  it.each<[string, TwinInput]>([
    ['telemetry', telemetry({ a: 1 }, T0 + SEC)],
    ['state', stateMsg({ a: 1 }, T0 + SEC)],
    ['status online', status('online', T0 + SEC)],
    ['status offline', status('offline', T0 + SEC)],
    ['error', deviceError('E', 'm', T0 + SEC)],
  ])('on the first device message (%s)', (_kind, input) => {
    const r = fold(pendingTwin(), input);
    expect(r.state?.lifecycle).toBe('active');
    expect(r.events).toContainEqual(
      expect.objectContaining({ type: 'lifecycle.changed', data: { from: 'pending', to: 'active' } }),
    );
  });

  it('on an ack for a queued command', () => {
    const s = next(pendingTwin(), command('c1', T0 + SEC));
    expect(next(s, ack('c1', 'success', T0 + 2 * SEC)).lifecycle).toBe('active');
  });

  it('not on application inputs', () => {
    expect(next(pendingTwin(), desired({ a: 1 }, T0 + SEC)).lifecycle).toBe('pending');
    expect(next(pendingTwin(), command('c1', T0 + SEC)).lifecycle).toBe('pending');
  });
});

describe('suspend and resume', () => {
  it('suspend: active -> suspended with an event; again is a lifecycle conflict', () => {
    const r = fold(onlineTwin(), registry('suspend', T0 + SEC, { requestId: 'r' }));
    expect(r.state?.lifecycle).toBe('suspended');
    expect(r.events).toEqual([
      expect.objectContaining({
        type: 'lifecycle.changed',
        data: { from: 'active', to: 'suspended', requestId: 'r' },
      }),
    ]);
    expect(fold(r.state ?? undefined, registry('suspend', T0 + 2 * SEC))).toMatchObject({
      state: undefined,
      outcome: 'ignored',
      reason: 'lifecycle-conflict',
    });
  });

  it('suspended twins keep their data and ignore telemetry, state, desired patches and commands', () => {
    const s = suspendedTwin();
    expect(s.reported).toEqual({ temperature: 20 });
    for (const input of [
      telemetry({ a: 1 }, T0 + 5 * SEC),
      stateMsg({ a: 1 }, T0 + 5 * SEC, 9),
      desired({ a: 1 }, T0 + 5 * SEC),
      command('c1', T0 + 5 * SEC),
    ]) {
      expect(fold(s, input)).toEqual({
        state: undefined,
        events: [],
        downlink: [],
        outcome: 'ignored',
        reason: 'suspended',
      });
    }
  });

  it('suspended twins still track status and errors', () => {
    const s = suspendedTwin();
    expect(next(s, status('offline', T0 + 5 * SEC)).connection.status).toBe('offline');
    expect(next(s, deviceError('E', 'm', T0 + 5 * SEC)).lastError?.code).toBe('E');
  });

  it('resume: back to active when the device has spoken', () => {
    const r = fold(suspendedTwin(), registry('resume', T0 + 2 * SEC));
    expect(r.state?.lifecycle).toBe('active');
    expect(r.events[0]?.data).toEqual({ from: 'suspended', to: 'active' });
  });

  it('resume: back to pending when the device never spoke', () => {
    const s = next(pendingTwin(), registry('suspend', T0 + SEC));
    expect(next(s, registry('resume', T0 + 2 * SEC)).lifecycle).toBe('pending');
  });

  it('resume on a twin that is not suspended is a lifecycle conflict', () => {
    for (const s of [onlineTwin(), pendingTwin()]) {
      expect(fold(s, registry('resume', T0 + SEC))).toMatchObject({
        outcome: 'ignored',
        reason: 'lifecycle-conflict',
      });
    }
  });

  it('suspend a pending twin', () => {
    expect(next(pendingTwin(), registry('suspend', T0 + SEC)).lifecycle).toBe('suspended');
  });
});

describe('decommission', () => {
  it('fails open commands and keeps the data', () => {
    const s = next(next(onlineTwin(), command('c1', T0 + SEC)), command('c2', T0 + SEC));
    const done = next(s, ack('c1', 'success', T0 + 2 * SEC));
    const r = fold(done, registry('decommission', T0 + 3 * SEC));
    expect(r.state?.lifecycle).toBe('decommissioned');
    expect(r.state?.reported).toEqual({ temperature: 20 });
    expect(r.state?.commands.map((c) => [c.commandId, c.status, c.error])).toEqual([
      ['c1', 'acknowledged', undefined],
      ['c2', 'failed', 'decommissioned'],
    ]);
    expect(eventTypes(r)).toEqual(['command.status', 'lifecycle.changed']);
  });

  it('works from suspended', () => {
    expect(next(suspendedTwin(), registry('decommission', T0 + 2 * SEC)).lifecycle).toBe('decommissioned');
  });

  it.each<[string, TwinInput]>([
    ['telemetry', telemetry({ a: 1 }, T0 + 5 * SEC)],
    ['state', stateMsg({ a: 1 }, T0 + 5 * SEC, 99)],
    ['status', status('offline', T0 + 5 * SEC)],
    ['ack', ack('c1', 'success', T0 + 5 * SEC)],
    ['error', deviceError('E', 'm', T0 + 5 * SEC)],
    ['desired', desired({ a: 1 }, T0 + 5 * SEC)],
    ['command', command('c9', T0 + 5 * SEC)],
    ['create', registry('create', T0 + 5 * SEC, { type: 'x' })],
    ['update', registry('update', T0 + 5 * SEC, { type: 'x' })],
    ['suspend', registry('suspend', T0 + 5 * SEC)],
    ['resume', registry('resume', T0 + 5 * SEC)],
    ['decommission', registry('decommission', T0 + 5 * SEC)],
  ])('then ignores %s', (_kind, input) => {
    expect(fold(decommissionedTwin(), input)).toEqual({
      state: undefined,
      events: [],
      downlink: [],
      outcome: 'ignored',
      reason: 'decommissioned',
    });
  });

  it('freezes the twin for the timer too', () => {
    expect(tickTwin(decommissionedTwin(), T0 + 24 * 3600 * SEC, CONFIG).outcome).toBe('unchanged');
  });
});

describe('delete', () => {
  it.each([
    ['active', onlineTwin],
    ['pending', pendingTwin],
    ['suspended', suspendedTwin],
    ['decommissioned', decommissionedTwin],
  ])('deletes a %s twin: tombstone and twin.deleted one version past the last', (_name, make) => {
    const s = make();
    const r = fold(s, registry('delete', T0 + 9 * SEC, { requestId: 'r9' }));
    expect(r.outcome).toBe('deleted');
    expect(r.state).toBeNull();
    expect(r.events).toEqual([
      expect.objectContaining({ type: 'twin.deleted', version: s.version + 1, data: { requestId: 'r9' } }),
    ]);
  });

  it('leaves a grave with the tombstone version and when it happened', () => {
    const s = onlineTwin();
    const r = fold(s, registry('delete', T0 + 9 * SEC));
    expect(r.grave).toEqual({ id: ID, deleted: true, version: s.version + 1, deletedAt: T0 + 9 * SEC });
  });

  it('a deleted device that speaks again is a new twin whose version continues from the grave', () => {
    const s = onlineTwin();
    const { grave } = fold(s, registry('delete', T0 + 9 * SEC));
    const r = fold(grave, telemetry({ a: 1 }, T0 + 10 * SEC));
    expect(r.state).toMatchObject({ version: s.version + 2, lifecycle: 'active', reported: { a: 1 } });
    expect(r.events[0]).toMatchObject({ type: 'twin.created', version: s.version + 2 });
    const again = fold(grave, registry('create', T0 + 10 * SEC, { type: 'x' }));
    expect(again.state).toMatchObject({ version: s.version + 2, lifecycle: 'pending', type: 'x' });
  });

  it.each<[string, TwinInput]>([
    ['desired', desired({ a: 1 }, T0 + 10 * SEC)],
    ['command', command('c1', T0 + 10 * SEC)],
    ['delete', registry('delete', T0 + 10 * SEC)],
    ['suspend', registry('suspend', T0 + 10 * SEC)],
  ])('a grave ignores %s like an unknown twin', (_kind, input) => {
    const { grave } = fold(onlineTwin(), registry('delete', T0 + 9 * SEC));
    expect(fold(grave, input)).toMatchObject({
      state: undefined,
      outcome: 'ignored',
      reason: 'unknown-twin',
    });
  });
});

describe('caller errors', () => {
  it('throws RangeError when the state belongs to another device', () => {
    const other = next(undefined, telemetry({ a: 1 }, T0, 'other-device'));
    expect(() => foldTwin(other, telemetry({ a: 1 }), { nowMs: T0, config: CONFIG })).toThrow(RangeError);
  });

  it('treats a null state as no twin', () => {
    expect(foldTwin(null, telemetry({ a: 1 }), { nowMs: T0, config: CONFIG }).state?.version).toBe(1);
  });
});
