import { validateRule } from '../../../api/routes/rules-validate';

const valid = {
  id: 'dehumidify-room-a',
  type: 'humidity_sensor',
  when: {
    all: [
      { path: 'traits.fields.humidity.trend', op: 'eq', value: 'RISING' },
      { path: 'traits.fields.humidity.forecast.thresholds.0.inMinutes', op: 'lte', value: 5 },
    ],
  },
  command: { action: 'dehumidifier_on', parameters: { level: 2 } },
  cooldownSeconds: 600,
};

const fieldsOf = (input: unknown, expectedId?: string): string[] => {
  const result = validateRule(input, expectedId);
  return result.ok ? [] : result.errors.map((e) => e.field);
};

describe('validateRule', () => {
  it('accepts a rule and fills the defaults', () => {
    expect(validateRule(valid)).toEqual({
      ok: true,
      rule: { ...valid, command: { ...valid.command, priority: 0 }, enabled: true },
    });
  });

  it.each<[string, unknown, string[]]>([
    ['not an object', [], ['']],
    ['an unknown field', { ...valid, extra: 1 }, ['extra']],
    ['a bad id', { ...valid, id: 'a b' }, ['id']],
    ['no type', { ...valid, type: undefined }, ['type']],
    ['an unknown op', { ...valid, when: { path: 'reported.h', op: 'matches', value: 1 } }, ['when.op']],
    [
      'a path outside reported and traits',
      { ...valid, when: { path: 'attributes.x', op: 'exists' } },
      ['when.path'],
    ],
    ['a forbidden step', { ...valid, when: { path: 'reported.__proto__', op: 'exists' } }, ['when.path']],
    ['a bad operand', { ...valid, when: { path: 'reported.h', op: 'gt', value: [1] } }, ['when.value']],
    [
      'a bad part deep inside',
      { ...valid, when: { all: [valid.when.all[0], { not: { path: 'reported.h', op: 'in', value: [] } }] } },
      ['when.all[1].not.value'],
    ],
    ['an empty all', { ...valid, when: { all: [] } }, ['when']],
    ['a bad action', { ...valid, command: { action: 'no spaces' } }, ['command.action']],
    ['a priority out of range', { ...valid, command: { action: 'x', priority: 10 } }, ['command.priority']],
    ['a negative cooldown', { ...valid, cooldownSeconds: -1 }, ['cooldownSeconds']],
    ['enabled not boolean', { ...valid, enabled: 'yes' }, ['enabled']],
  ])('refuses %s, naming the field', (_what, input, fields) => {
    expect(fieldsOf(input)).toEqual(fields);
  });

  it('refuses a condition nested too deep or too large', () => {
    let deep: unknown = { path: 'reported.h', op: 'exists' };
    for (let i = 0; i < 10; i++) deep = { not: deep };
    expect(fieldsOf({ ...valid, when: deep })).toEqual(['when.not.not.not.not.not.not.not.not']);
    const wide = { any: Array.from({ length: 70 }, () => ({ path: 'reported.h', op: 'exists' })) };
    expect(fieldsOf({ ...valid, when: wide })).toContain('when.any[63]');
  });

  it('refuses an id that differs from the path', () => {
    expect(fieldsOf(valid, 'another')).toEqual(['id']);
  });
});
