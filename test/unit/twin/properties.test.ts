import {
  computeDelta,
  foldTwin,
  type FoldConfig,
  isOpenCommand,
  type FoldResult,
  type JsonObject,
  type JsonValue,
  nextDeadline,
  tickTwin,
  toTwinDocument,
  type TwinInput,
  type TwinState,
} from '../../../topology/twin';
import { DEFAULT_JSON_LIMITS } from '../../../shared/safe-json';
import { deepFreeze, ID, T0 } from './helpers';

/**
 * Property-style checks over random input sequences (seeded, so a failure is reproducible):
 * determinism, JSON round-trip equivalence (the store holds JSON), immutability, version
 * accounting and structural invariants of every state the fold produces.
 */

const CONFIG: FoldConfig = {
  offlineAfterMs: 20_000,
  defaultCommandTtlMs: 30_000,
  maxCommandRetries: 2,
  maxCommandHistory: 3,
  downlinkLimits: DEFAULT_JSON_LIMITS,
};

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Step = { kind: 'input'; input: TwinInput; nowMs: number } | { kind: 'tick'; nowMs: number };

function generator(seed: number) {
  const random = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const fields = ['a', 'b', 'c', 'toString', 'cfg'];
  const value = (): JsonValue => pick<JsonValue>([0, 1, 2, null, 'x', { x: pick([1, 2, null]) }, [1, 2]]);
  const object = (n: number): JsonObject => {
    const out: JsonObject = {};
    for (let i = 0; i < n; i++) out[pick(fields)] = value();
    return out;
  };
  let now = T0;

  function input(state: TwinState | undefined): TwinInput {
    const base = { deviceId: ID, timestampMs: now };
    const payloadTime = now - int(-1000, 8000);
    const commandId = pick(['c1', 'c2', 'c3', 'c4', 'c5']);
    switch (
      pick([
        'telemetry',
        'telemetry',
        'state',
        'status',
        'status',
        'ack',
        'ack',
        'error',
        'desired',
        'command',
        'command',
        'registry',
      ])
    ) {
      case 'telemetry':
        return { ...base, kind: 'telemetry', timestampMs: payloadTime, readings: object(int(1, 3)) };
      case 'state':
        return {
          ...base,
          kind: 'state',
          timestampMs: payloadTime,
          reported: object(int(0, 3)),
          stateVersion: pick([null, int(0, 6)]),
        };
      case 'status':
        return {
          ...base,
          kind: 'status',
          timestampMs: payloadTime,
          status: pick(['online', 'offline'] as const),
        };
      case 'ack':
        return {
          ...base,
          kind: 'ack',
          commandId,
          status: pick(['success', 'failed', 'rejected']),
          result: int(0, 1),
        };
      case 'error':
        return { ...base, kind: 'error', errorCode: pick(['E1', 'E2']), message: 'm' };
      case 'desired': {
        const ifVersion = pick([undefined, undefined, state?.version ?? 0, int(0, 5)]);
        return {
          ...base,
          kind: 'desired',
          patch: object(int(0, 3)),
          ...(ifVersion === undefined ? {} : { ifVersion }),
          requestId: 'r',
        };
      }
      case 'command':
        return {
          ...base,
          kind: 'command',
          commandId,
          action: 'go',
          parameters: {},
          priority: int(-1, 2),
          ttlMs: pick([5_000, 60_000]),
        };
      default: {
        const op =
          random() < 0.1
            ? pick(['decommission', 'delete'] as const)
            : pick(['create', 'update', 'suspend', 'resume'] as const);
        return { ...base, kind: 'registry', op, type: pick(['t1', 't2']), attributes: object(int(0, 2)) };
      }
    }
  }

  return function nextStep(state: TwinState | undefined): Step {
    now += pick([0, 0, int(1, 3000), int(1, 30_000)]);
    if (state !== undefined && random() < 0.12) return { kind: 'tick', nowMs: now + int(0, 60_000) };
    return { kind: 'input', input: input(state), nowMs: now };
  };
}

function runStep(state: TwinState | undefined, step: Step): FoldResult {
  if (step.kind === 'tick') return tickTwin(state as TwinState, step.nowMs, CONFIG);
  return foldTwin(state, step.input, { nowMs: step.nowMs, config: CONFIG });
}

/** Cheap assertion: expect() per property per step makes the suite ten times slower. */
function check(ok: boolean, what: string, detail?: unknown): void {
  if (!ok) throw new Error(`${what}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
}

function checkInvariants(state: TwinState): void {
  const priorities = state.commands.map((c) => c.priority);
  check(
    priorities.every((p, i) => i === 0 || (priorities[i - 1] as number) >= p),
    'queue order',
    priorities,
  );
  const terminal = state.commands.filter((c) => !isOpenCommand(c));
  check(terminal.length <= CONFIG.maxCommandHistory, 'history bound', terminal.length);
  check(new Set(state.commands.map((c) => c.commandId)).size === state.commands.length, 'unique command ids');
  check(
    Object.keys(state.reported).every((k) => state.metadata.reported[k] !== undefined),
    'reported metadata',
  );
  check(
    JSON.stringify(Object.keys(state.metadata.desired).sort()) ===
      JSON.stringify(Object.keys(state.desired).sort()),
    'desired metadata',
  );
  const metas = [...Object.values(state.metadata.reported), ...Object.values(state.metadata.desired)];
  check(
    metas.every((m) => m.version <= state.version),
    'metadata version',
  );
  check(!/"(__proto__|constructor|prototype)"/.test(JSON.stringify(state)), 'prototype keys');
  check(state.lifecycle !== 'pending' || state.connection.lastSeen === null, 'pending twins never spoke');
  const doc = toTwinDocument(state);
  check(
    JSON.stringify(doc.delta) === JSON.stringify(computeDelta(state.reported, state.desired)),
    'document delta',
  );
  check(doc.version === state.version, 'document version');
}

function checkResult(before: TwinState | undefined, result: FoldResult, step: Step): void {
  switch (result.outcome) {
    case 'changed': {
      const after = result.state as TwinState;
      check(after !== undefined && after !== null, 'changed without a state');
      check(after.version === (before?.version ?? 0) + 1, 'version + 1', [before?.version, after.version]);
      check(before === undefined || after.updatedAt >= before.updatedAt, 'updatedAt monotonic');
      check(
        result.events.every((e) => e.version === after.version),
        'event versions',
      );
      const deltaMoved =
        JSON.stringify(computeDelta(before?.reported ?? {}, before?.desired ?? {})) !==
        JSON.stringify(computeDelta(after.reported, after.desired));
      check(
        result.events.some((e) => e.type === 'delta.changed') === deltaMoved,
        'delta.changed iff delta moved',
      );
      check(
        before?.lifecycle !== 'decommissioned' || after.lifecycle === 'decommissioned',
        'left decommissioned',
      );
      checkInvariants(after);
      break;
    }
    case 'deleted':
      check(result.state === null, 'deleted leaves a tombstone');
      check(
        step.kind === 'input' && step.input.kind === 'registry' && step.input.op === 'delete',
        'only delete deletes',
      );
      break;
    default: {
      check(result.state === undefined, 'no state when not changed');
      check(result.downlink.length === 0, 'no downlink when not changed');
      const types = result.events.map((e) => e.type).join();
      check(
        types === (result.reason === 'version-conflict' ? 'desired.rejected' : ''),
        'events when not changed',
        types,
      );
      check(result.outcome !== 'ignored' || Boolean(result.reason), 'ignored has a reason');
    }
  }
}

/** Runs one random sequence; returns every result, checking properties along the way. */
const cache = new Map<number, FoldResult[]>();

function runSequence(seed: number, steps: number): FoldResult[] {
  const nextStep = generator(seed);
  const results: FoldResult[] = [];
  let state: TwinState | undefined;
  let changedSinceCreation = 0;
  for (let i = 0; i < steps; i++) {
    const step = nextStep(state);
    const snapshot = state === undefined ? undefined : structuredClone(state);
    const frozen = state === undefined ? undefined : deepFreeze(structuredClone(state));
    const result = runStep(frozen, step);
    // The store holds JSON: folding the decoded copy must give exactly the same result.
    const viaJson = runStep(
      state === undefined ? undefined : (JSON.parse(JSON.stringify(state)) as TwinState),
      step,
    );
    check(JSON.stringify(viaJson) === JSON.stringify(result), 'JSON round trip changes the result', step);
    check(JSON.stringify(state) === JSON.stringify(snapshot), 'input state mutated');
    checkResult(state, result, step);
    results.push(result);
    if (result.state === null) {
      state = undefined;
      changedSinceCreation = 0;
    } else if (result.state !== undefined) {
      if (state === undefined) changedSinceCreation = 0;
      else changedSinceCreation++;
      state = result.state;
      check(state.version === 1 + changedSinceCreation, 'version = 1 + changes since creation');
    }
    if (state !== undefined) checkDeadline(state);
  }
  return results;
}

/** nextDeadline is exact: any tick before it is a no-op, a tick at it changes the twin. */
function checkDeadline(state: TwinState): void {
  const deadline = nextDeadline(state, CONFIG);
  const lastSeen = state.connection.lastSeen ?? T0;
  if (deadline === null) {
    check(tickTwin(state, lastSeen + 365 * 24 * 3600 * 1000, CONFIG).outcome === 'unchanged', 'no deadline');
    return;
  }
  check(tickTwin(state, deadline - 1, CONFIG).outcome === 'unchanged', 'tick before the deadline');
  check(tickTwin(state, deadline, CONFIG).outcome === 'changed', 'tick at the deadline');
}

describe('fold properties over random sequences', () => {
  const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);

  it.each(SEEDS)('seed %i: invariants, immutability, JSON equivalence, version accounting', (seed) => {
    cache.set(seed, runSequence(seed, 80));
  });

  it('is deterministic: the same sequence folds to identical results', () => {
    for (const seed of [3, 17, 42]) {
      expect(runSequence(seed, 120)).toEqual(runSequence(seed, 120));
    }
  });

  it('covers every outcome and the interesting reasons across the seeds', () => {
    const outcomes = new Set<string>();
    const reasons = new Set<string>();
    for (const seed of SEEDS) {
      for (const r of cache.get(seed) ?? runSequence(seed, 80)) {
        outcomes.add(r.outcome);
        if (r.reason) reasons.add(r.reason);
      }
    }
    expect([...outcomes].sort()).toEqual(['changed', 'deleted', 'ignored', 'unchanged']);
    for (const reason of [
      'stale-state-version',
      'stale-status',
      'unknown-command-ack',
      'duplicate-command',
      'version-conflict',
      'suspended',
      'decommissioned',
    ]) {
      expect(reasons).toContain(reason);
    }
  });
});
