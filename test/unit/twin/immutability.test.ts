import { foldTwin, type JsonObject, type TwinInput, type TwinState } from '../../../topology/twin';
import {
  ack,
  CONFIG,
  command,
  deepFreeze,
  desired,
  deviceError,
  next,
  onlineTwin,
  registry,
  SEC,
  stateMsg,
  T0,
  telemetry,
} from './helpers';

describe('immutability', () => {
  it('never mutates the state it is given (deep-frozen), for every kind of input', () => {
    let s = next(onlineTwin({ a: 1, n: { x: 1 } }), command('c1', T0 + SEC));
    s = next(s, desired({ d: 1 }, T0 + SEC));
    const frozen = deepFreeze(structuredClone(s));
    const copy = structuredClone(s);
    const inputs: TwinInput[] = [
      telemetry({ a: 2, n: { y: 2 }, z: null }, T0 + 2 * SEC),
      stateMsg({ b: 1 }, T0 + 2 * SEC, 1),
      { kind: 'status', deviceId: s.id, timestampMs: T0 + 2 * SEC, status: 'offline' },
      ack('c1', 'failed', T0 + 2 * SEC),
      ack('c1', 'success', T0 + 2 * SEC),
      deviceError('E', 'm', T0 + 2 * SEC),
      desired({ d: null, e: { f: 1 } }, T0 + 2 * SEC),
      command('c2', T0 + 2 * SEC, { priority: 5 }),
      registry('update', T0 + 2 * SEC, { attributes: { k: 1 } }),
      registry('suspend', T0 + 2 * SEC),
      registry('decommission', T0 + 2 * SEC),
      registry('delete', T0 + 2 * SEC),
    ];
    for (const input of inputs) {
      expect(() => foldTwin(frozen, input, { nowMs: T0 + 2 * SEC, config: CONFIG })).not.toThrow();
    }
    expect(frozen).toEqual(copy);
  });

  it('does not alias input objects into the new state', () => {
    const readings: JsonObject = { n: { x: 1 }, list: [1, 2] };
    const params: JsonObject = { p: { q: 1 } };
    const result: JsonObject = { r: [1] };
    const details: JsonObject = { d: { e: 1 } };
    const attributes: JsonObject = { room: { name: 'A' } };
    const snapshot: JsonObject = { s: { t: 1 } };
    let s: TwinState = next(undefined, telemetry(readings));
    s = next(s, command('c1', T0 + SEC, { parameters: params }));
    s = next(s, ack('c1', 'success', T0 + 2 * SEC, result));
    s = next(s, deviceError('E', 'm', T0 + 3 * SEC, details));
    s = next(s, registry('update', T0 + 4 * SEC, { attributes }));
    const before = structuredClone(s);
    const s2 = next(s, stateMsg(snapshot, T0 + 5 * SEC, 1));
    const before2 = structuredClone(s2);
    (readings.n as JsonObject).x = 99;
    (readings.list as number[]).push(3);
    (params.p as JsonObject).q = 99;
    (result.r as number[]).push(99);
    (details.d as JsonObject).e = 99;
    (attributes.room as JsonObject).name = 'B';
    (snapshot.s as JsonObject).t = 99;
    expect(s).toEqual(before);
    expect(s2).toEqual(before2);
  });
});
