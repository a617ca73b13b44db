import {
  bool,
  ConfigError,
  hostPortList,
  integer,
  oneOf,
  optional,
  optionalText,
  parseSettings,
  setting,
  text,
  url,
} from '../../../shared/env-parsers';

describe('env parsers', () => {
  it('integer: whole numbers within bounds', () => {
    expect(integer(1, 10)(' 7 ')).toBe(7);
    expect(() => integer(1, 10)('7.5')).toThrow('must be an integer, got "7.5"');
    expect(() => integer(1, 10)('11')).toThrow('must be between 1 and 10, got 11');
    expect(() => integer(0)('')).toThrow('must be an integer');
  });

  it('oneOf, bool, url, host:port lists', () => {
    expect(oneOf('a', 'b')('b')).toBe('b');
    expect(() => oneOf('a', 'b')('c')).toThrow('must be one of a, b, got "c"');
    expect([bool('TRUE'), bool('on'), bool('0'), bool('no')]).toEqual([true, true, false, false]);
    expect(() => bool('maybe')).toThrow('must be true or false');
    expect(url('http://h:1/')).toBe('http://h:1');
    expect(() => url('not a url')).toThrow('must be a URL');
    expect(hostPortList(' a:1, b:2 ,')).toEqual(['a:1', 'b:2']);
    expect(() => hostPortList('a')).toThrow('"a" is not host:port');
    expect(() => hostPortList(' , ')).toThrow('at least one');
  });

  it('optional: empty is undefined, anything else is parsed', () => {
    expect(optional(url)('')).toBeUndefined();
    expect(optional(integer(0))('3')).toBe(3);
    expect(() => optional(integer(0))('x')).toThrow('must be an integer');
    expect(optionalText('')).toBeUndefined();
    expect(text('')).toBe('');
  });

  it('parseSettings: defaults, every problem named by its variable, no throw', () => {
    const schema = {
      port: setting('PORT', '80', 'port', integer(0, 65535)),
      mode: setting('MODE', 'a', 'mode', oneOf('a', 'b')),
      name: setting('NAME', undefined, 'name', text),
    };
    expect(parseSettings(schema, {})).toEqual({ values: { port: 80, mode: 'a', name: '' }, problems: [] });
    const { values, problems } = parseSettings(schema, { PORT: 'x', MODE: 'c', NAME: 'n' });
    expect(values).toEqual({ name: 'n' });
    expect(problems).toEqual(['PORT must be an integer, got "x"', 'MODE must be one of a, b, got "c"']);
    expect(new ConfigError(problems).message).toBe(
      'invalid configuration:\n  - PORT must be an integer, got "x"\n  - MODE must be one of a, b, got "c"',
    );
  });
});
