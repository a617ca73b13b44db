import { TwinfoldError } from '../../../shared/errors';
import { parseDownlinkRecord } from '../../../bridge/downlink-record';
import { compileTopicTemplate } from '../../../bridge/topic-template';

const templates = {
  command: compileTopicTemplate('device/{id}/command'),
  desired: compileTopicTemplate('device/{id}/desired'),
};
const limits = { maxBytes: 4096, maxDepth: 8, maxKeys: 100 };
const parse = (key: string | null, value: unknown) =>
  parseDownlinkRecord(
    key === null ? null : Buffer.from(key),
    value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    templates,
    limits,
  );
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof TwinfoldError ? err.code : 'not a TwinfoldError';
  }
};

describe('parseDownlinkRecord', () => {
  it('routes a command to the device command topic with the payload as compact JSON', () => {
    const payload = { command_id: 'c-1', action: 'reboot', parameters: {}, timestamp: 1 };
    expect(parse('light-1', { kind: 'command', deviceId: 'light-1', payload })).toEqual({
      kind: 'command',
      deviceId: 'light-1',
      topic: 'device/light-1/command',
      payload: JSON.stringify(payload),
    });
  });

  it('routes desired state to the desired topic', () => {
    const d = parse('s-1', {
      kind: 'desired',
      deviceId: 's-1',
      payload: { version: 2, desired: { a: 1 }, delta: {} },
    });
    expect(d.topic).toBe('device/s-1/desired');
  });

  it('accepts a record without key', () => {
    expect(parse(null, { kind: 'command', deviceId: 's-1', payload: {} }).deviceId).toBe('s-1');
  });

  it.each([
    ['no value', 'k', null, 'VALIDATION_ERROR'],
    ['bad JSON', 'k', '{', 'MALFORMED_JSON'],
    ['an array', 'k', [], 'VALIDATION_ERROR'],
    ['an unknown kind', 's-1', { kind: 'reboot', deviceId: 's-1', payload: {} }, 'VALIDATION_ERROR'],
    ['a wildcard id', 'a/+', { kind: 'command', deviceId: 'a/+', payload: {} }, 'INVALID_ID'],
    ['a # id', '#', { kind: 'command', deviceId: '#', payload: {} }, 'INVALID_ID'],
    ['a key of another device', 's-2', { kind: 'command', deviceId: 's-1', payload: {} }, 'VALIDATION_ERROR'],
    [
      'a non-object payload',
      's-1',
      { kind: 'command', deviceId: 's-1', payload: 'reboot' },
      'VALIDATION_ERROR',
    ],
  ])('refuses %s', (_what, key, value, code) => {
    expect(codeOf(() => parse(key, value))).toBe(code);
  });
});
