import { MAX_FIRINGS_KEPT, type Rule } from '../../../topology/rules';
import { DEFAULT_PROFILE } from '../../../topology/traits';
import type { FoldConfig, TwinInput, TwinState } from '../../../topology/twin';
import { ack, CONFIG, fold, ID, SEC, status, T0, telemetry } from '../twin/helpers';

const TYPE = 'humidity_sensor';

const rule = (over: Partial<Rule> = {}): Rule => ({
  id: 'dehumidify',
  type: TYPE,
  when: { path: 'reported.humidity', op: 'gt', value: 75 },
  command: { action: 'dehumidifier_on', parameters: { level: 2 }, priority: 5 },
  cooldownSeconds: 60,
  enabled: true,
  ...over,
});

const create: TwinInput = { kind: 'registry', deviceId: ID, timestampMs: T0, op: 'create', type: TYPE };

/** Folds the inputs in order with `rules`, returning the states after each and every event. */
function run(inputs: TwinInput[], rules: Rule[], start?: TwinState, extra: Partial<FoldConfig> = {}) {
  const config: FoldConfig = {
    ...CONFIG,
    rulesFor: (type) => rules.filter((r) => r.type === type),
    ...extra,
  };
  let state = start;
  const events = [];
  const downlink = [];
  for (const input of inputs) {
    const result = fold(state, input, input.timestampMs, config);
    if (result.state) state = result.state;
    events.push(...result.events);
    downlink.push(...result.downlink);
  }
  if (!state) throw new Error('no twin');
  return { state, events, downlink, fired: events.filter((e) => e.type === 'rule.fired') };
}

/** Humidity readings one per 10 s from T0 + 1 s. */
const readings = (...values: number[]): TwinInput[] =>
  values.map((h, i) => telemetry({ humidity: h }, T0 + SEC + i * 10 * SEC));

describe('rules in the fold', () => {
  it('fires once when the condition becomes true, not again while it stays true', () => {
    // No cooldown: only the edge keeps it from firing on every reading above 75.
    const { fired, state } = run([create, ...readings(70, 76, 77, 78)], [rule({ cooldownSeconds: 0 })]);
    expect(fired).toHaveLength(1);
    expect(state.rules?.firings).toEqual([
      {
        ruleId: 'dehumidify',
        at: T0 + 11 * SEC,
        commandId: expect.stringMatching(/^rule\.dehumidify\./),
        version: 3,
      },
    ]);
  });

  it('queues the command with origin rule:<id>, delivered at once to an online device', () => {
    const { state, downlink } = run([create, status('online', T0 + 500), ...readings(80)], [rule()]);
    const commandId = state.rules!.firings[0]!.commandId;
    const queued = state.commands.find((c) => c.commandId === commandId);
    expect(queued).toMatchObject({
      action: 'dehumidifier_on',
      parameters: { level: 2 },
      priority: 5,
      origin: 'rule:dehumidify',
      status: 'delivered',
    });
    expect(downlink.map((d) => d.kind === 'command' && d.payload.command_id)).toEqual([commandId]);
    // The device's ack closes the loop on the command the firing names.
    const acked = run([ack(commandId, 'success', T0 + 20 * SEC)], [rule()], state).state;
    expect(acked.commands.find((c) => c.commandId === commandId)?.status).toBe('acknowledged');
  });

  it('fires again on the next crossing once the cooldown has passed, never within it', () => {
    // Crossings at 11 s, 31 s (within 60 s: suppressed), 91 s (fires).
    const values = [70, 80, 70, 80, 70, 70, 70, 70, 70, 80];
    const { fired } = run([create, ...readings(...values)], [rule()]);
    expect(fired.map((e) => e.timestamp)).toEqual([
      new Date(T0 + 11 * SEC).toISOString(),
      new Date(T0 + 91 * SEC).toISOString(),
    ]);
    const noCooldown = run([create, ...readings(...values)], [rule({ cooldownSeconds: 0 })]).fired;
    expect(noCooldown).toHaveLength(3);
  });

  it('gives the same firings when the same records are folded again (a replay)', () => {
    const inputs = [create, ...readings(70, 80, 70, 80, 90, 60, 85)];
    const rules = [
      rule({ cooldownSeconds: 0 }),
      rule({ id: 'other', when: { path: 'reported.humidity', op: 'lt', value: 65 } }),
    ];
    expect(run(inputs, rules).state).toEqual(run(inputs, rules).state);
  });

  it('ignores disabled rules and rules of other types', () => {
    const rules = [rule({ enabled: false }), rule({ id: 'x', type: 'other_type' })];
    const { fired, state } = run([create, ...readings(80)], rules);
    expect(fired).toEqual([]);
    expect(state.rules).toBeUndefined();
  });

  it('keeps the last MAX_FIRINGS_KEPT firings', () => {
    const values = Array.from({ length: 2 * (MAX_FIRINGS_KEPT + 5) }, (_, i) => (i % 2 === 0 ? 70 : 80));
    const { fired, state } = run([create, ...readings(...values)], [rule({ cooldownSeconds: 0 })]);
    expect(fired).toHaveLength(MAX_FIRINGS_KEPT + 5);
    expect(state.rules?.firings).toHaveLength(MAX_FIRINGS_KEPT);
    expect(state.rules?.firings.at(-1)?.commandId).toBe(fired.at(-1)?.data.commandId);
  });

  it("reads the traits: seed 003's 'humidity rising and forecast to cross 75 within 5 minutes'", () => {
    const profile = { ...DEFAULT_PROFILE, fields: { humidity: { thresholds: { max: 75 } } } };
    const when = {
      all: [
        { path: 'traits.fields.humidity.trend', op: 'eq' as const, value: 'RISING' },
        { path: 'traits.fields.humidity.forecast.thresholds.0.inMinutes', op: 'lte' as const, value: 5 },
      ],
    };
    // +0.5 per minute from 68: the line reaches 75 in under 5 minutes once past 72.5.
    const inputs = Array.from({ length: 12 }, (_, i) =>
      telemetry({ humidity: 68 + i * 0.5 }, T0 + (i + 1) * 60 * SEC),
    );
    const { fired, state } = run([create, ...inputs], [rule({ when, cooldownSeconds: 0 })], undefined, {
      traits: true,
      profileFor: () => profile,
    });
    expect(fired).toHaveLength(1);
    // It fired at the first reading whose forecast put the crossing within 5 minutes.
    const at = state.rules!.firings[0]!.at;
    expect(at).toBe(T0 + 10 * 60 * SEC);
  });
});
