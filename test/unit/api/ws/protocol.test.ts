import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  changeMessage,
  subscribedMessage,
  unsubscribedMessage,
  errorMessage,
} from '../../../../api/ws/messages';
import { parseClientMessage } from '../../../../api/ws/protocol';
import type { TwinChange } from '../../../../api/events/twin-change';
import { DEFAULT_JSON_LIMITS } from '../../../../shared/safe-json';
import { twinFixture } from '../harness';

const parse = (message: unknown): ReturnType<typeof parseClientMessage> =>
  parseClientMessage(typeof message === 'string' ? message : JSON.stringify(message), DEFAULT_JSON_LIMITS);
const codeOf = (message: unknown): string | undefined => {
  try {
    parse(message);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('WebSocket client messages', () => {
  it("parses seed 001's subscribe, named after its twin", () => {
    expect(parse({ action: 'subscribe', twin_id: 'sensor-001' })).toEqual({
      action: 'subscribe',
      id: 'sensor-001',
      selector: { kind: 'twin', id: 'sensor-001' },
    });
  });

  it("parses a filter with the list API's parser, and a position", () => {
    const message = {
      action: 'subscribe',
      filter: { type: 'valve', status: 'online', 'attr.site': 'north' },
      position: '1.2',
    };
    expect(parse(message)).toEqual({
      action: 'subscribe',
      id: 'fleet',
      selector: { kind: 'fleet', filter: { type: 'valve', status: 'online', attributes: { site: 'north' } } },
      position: '1.2',
    });
    expect(codeOf({ action: 'subscribe', filter: { status: 'asleep' } })).toBe('VALIDATION_ERROR');
    expect(codeOf({ action: 'subscribe', filter: { type: 3 } })).toBe('VALIDATION_ERROR');
    expect(codeOf({ action: 'subscribe', filter: { limit: '5' } })).toBe('VALIDATION_ERROR');
  });

  it('parses auth and unsubscribe (by id or twin_id)', () => {
    expect(parse({ action: 'auth', token: 't0k3n' })).toEqual({ action: 'auth', token: 't0k3n' });
    expect(parse({ action: 'unsubscribe', twin_id: 'sensor-001' })).toEqual({
      action: 'unsubscribe',
      id: 'sensor-001',
    });
    expect(parse({ action: 'unsubscribe', id: 'a' })).toEqual({ action: 'unsubscribe', id: 'a' });
  });

  it.each([
    ['not JSON', '{"action":', 'MALFORMED_JSON'],
    ['an array', '[]', 'VALIDATION_ERROR'],
    ['an unknown action', { action: 'watch' }, 'VALIDATION_ERROR'],
    [
      'a subscribe naming both a twin and a filter',
      { action: 'subscribe', twin_id: 'a', filter: {} },
      'VALIDATION_ERROR',
    ],
    ['a subscribe naming neither', { action: 'subscribe' }, 'VALIDATION_ERROR'],
    ['a bad twin id', { action: 'subscribe', twin_id: 'a/b' }, 'INVALID_ID'],
    ['an unknown field', { action: 'subscribe', twin_id: 'a', since: 1 }, 'VALIDATION_ERROR'],
    [
      'a filter key reaching the prototype',
      { action: 'subscribe', filter: { 'attr.__proto__': 'x' } },
      'VALIDATION_ERROR',
    ],
    ['an unsubscribe without id', { action: 'unsubscribe' }, 'VALIDATION_ERROR'],
    ['an empty token', { action: 'auth', token: '' }, 'VALIDATION_ERROR'],
    ['too deep', `{"action":"subscribe","filter":${'['.repeat(40)}${']'.repeat(40)}}`, 'LIMIT_EXCEEDED'],
  ])('refuses %s', (_name, message, code) => {
    expect(codeOf(message)).toBe(code);
  });

  it('drops __proto__ instead of letting it reach an object', () => {
    const parsed = parse('{"action":"subscribe","twin_id":"a","__proto__":{"polluted":1}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed.action).toBe('subscribe');
  });
});

describe('WebSocket server messages', () => {
  const twin = twinFixture('sensor-001', { version: 18, updatedAt: '2026-11-24T10:31:05.120Z' });
  const change: TwinChange = {
    partition: 3,
    offset: 1041,
    id: 'sensor-001',
    twin,
    json: JSON.stringify(twin),
  };
  const event = { id: '3:1042', event: 'twin' as const, data: JSON.stringify(twin) };

  it('splices the document into twin_update as state', () => {
    const { type, text } = changeMessage('s', event, change);
    expect(type).toBe('twin_update');
    expect(JSON.parse(text)).toEqual({
      type: 'twin_update',
      subscription: 's',
      twin_id: 'sensor-001',
      version: 18,
      timestamp: twin.updatedAt,
      position: '3:1042',
      state: twin,
    });
  });

  it('sends twin_deleted for a tombstone', () => {
    const { text } = changeMessage(
      's',
      { ...event, event: 'deleted' },
      { ...change, twin: null, json: undefined },
    );
    expect(JSON.parse(text)).toEqual({
      type: 'twin_deleted',
      subscription: 's',
      twin_id: 'sensor-001',
      position: '3:1042',
    });
  });

  it('has exactly the members the contract shows for each message type', () => {
    const contract = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'contract.md'), 'utf8');
    const shown = new Map<string, string[]>();
    for (const m of contract.matchAll(/```json example=json\n([\s\S]*?)\n```/g)) {
      const value = JSON.parse(m[1]!) as Record<string, unknown>;
      if (typeof value.type === 'string') shown.set(value.type, Object.keys(value).sort());
    }
    const built = [
      changeMessage('s', event, change).text,
      changeMessage('s', event, { ...change, twin: null, json: undefined }).text,
      subscribedMessage('s', { kind: 'twin', id: 'sensor-001' }, '3:1'),
      unsubscribedMessage('s', '3:1'),
      errorMessage('VALIDATION_ERROR', 'm'),
    ];
    for (const text of built) {
      const value = JSON.parse(text) as Record<string, unknown>;
      expect([value.type, Object.keys(value).sort()]).toEqual([value.type, shown.get(String(value.type))]);
    }
  });
});
