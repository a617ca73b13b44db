import { holds, resolvePath, type Condition } from '../../../topology/rules';

const view = {
  reported: { humidity: 76, mode: 'auto', nested: { a: { b: 1 } } },
  traits: {
    fields: {
      humidity: { trend: 'RISING', forecast: { thresholds: [{ bound: 'max', value: 75, inMinutes: 4 }] } },
    },
  },
};

describe('rule conditions', () => {
  it.each<[Condition, boolean]>([
    [{ path: 'reported.humidity', op: 'gt', value: 75 }, true],
    [{ path: 'reported.humidity', op: 'gt', value: 76 }, false],
    [{ path: 'reported.humidity', op: 'gte', value: 76 }, true],
    [{ path: 'reported.humidity', op: 'lt', value: 76 }, false],
    [{ path: 'reported.humidity', op: 'lte', value: 76 }, true],
    [{ path: 'reported.mode', op: 'eq', value: 'auto' }, true],
    [{ path: 'reported.mode', op: 'ne', value: 'auto' }, false],
    [{ path: 'reported.mode', op: 'in', value: ['manual', 'auto'] }, true],
    [{ path: 'reported.mode', op: 'gt', value: 5 }, false],
    [{ path: 'reported.missing', op: 'exists' }, false],
    [{ path: 'reported.missing', op: 'exists', value: false }, true],
    [{ path: 'reported.missing', op: 'ne', value: 1 }, true],
    [{ path: 'reported.missing', op: 'eq', value: null }, false],
    [{ path: 'reported.nested', op: 'eq', value: 1 }, false],
    [{ path: 'reported.nested.a.b', op: 'eq', value: 1 }, true],
    [{ path: 'traits.fields.humidity.forecast.thresholds.0.inMinutes', op: 'lte', value: 5 }, true],
    [{ path: 'reported.constructor', op: 'exists' }, false],
    [{ path: 'reported.__proto__', op: 'exists' }, false],
  ])('%j is %s', (condition, expected) => {
    expect(holds(condition, view)).toBe(expected);
  });

  it('combines with all, any and not', () => {
    const rising: Condition = { path: 'traits.fields.humidity.trend', op: 'eq', value: 'RISING' };
    const soon: Condition = {
      path: 'traits.fields.humidity.forecast.thresholds.0.inMinutes',
      op: 'lte',
      value: 5,
    };
    const falsy: Condition = { path: 'reported.humidity', op: 'lt', value: 0 };
    expect(holds({ all: [rising, soon] }, view)).toBe(true);
    expect(holds({ all: [rising, falsy] }, view)).toBe(false);
    expect(holds({ any: [falsy, soon] }, view)).toBe(true);
    expect(holds({ not: { any: [falsy] } }, view)).toBe(true);
  });

  it('resolves own properties only', () => {
    expect(resolvePath(view, 'reported.toString')).toBeUndefined();
    expect(resolvePath(view, 'reported.humidity.x')).toBeUndefined();
  });
});
