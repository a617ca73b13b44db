import { committedChange } from '../../../topology/commit-notice';
import { desired, fold, ID, onlineTwin, registry, SEC, T0, telemetry } from '../twin/helpers';

describe('committedChange', () => {
  const twin = onlineTwin(); // version 1

  it('reports the version a desired patch produced, with its request id', () => {
    const input = desired({ interval: 5 }, T0 + SEC, { requestId: 'r1', ifVersion: 1 });
    const change = committedChange(ID, input, twin, fold(twin, input));
    expect(change).toMatchObject({ deviceId: ID, requestId: 'r1', outcome: 'changed', version: 2 });
    expect(change?.events.map((e) => e.type)).toContain('desired.changed');
  });

  it('reports a stale If-Match as ignored at the current version', () => {
    const input = desired({ interval: 5 }, T0 + SEC, { requestId: 'r2', ifVersion: 7 });
    expect(committedChange(ID, input, twin, fold(twin, input))).toMatchObject({
      requestId: 'r2',
      outcome: 'ignored',
      reason: 'version-conflict',
      version: 1,
    });
  });

  it('reports a request that changed nothing at the current version', () => {
    const input = desired({}, T0 + SEC, { requestId: 'r3' });
    expect(committedChange(ID, input, twin, fold(twin, input))).toMatchObject({
      requestId: 'r3',
      outcome: 'unchanged',
      version: 1,
    });
  });

  it('reports a delete at the tombstone version', () => {
    const input = registry('delete', T0 + SEC, { requestId: 'r4' });
    expect(committedChange(ID, input, twin, fold(twin, input))).toMatchObject({
      outcome: 'deleted',
      version: 2,
    });
  });

  it('tells nothing about a record without request id that changed nothing', () => {
    const noop = desired({}, T0 + SEC);
    expect(fold(twin, noop).outcome).toBe('unchanged');
    expect(committedChange(ID, noop, twin, fold(twin, noop))).toBeUndefined();
    const changing = telemetry({ temperature: 30 }, T0 + SEC);
    expect(committedChange(ID, changing, twin, fold(twin, changing))).toMatchObject({
      outcome: 'changed',
      version: 2,
    });
  });
});
