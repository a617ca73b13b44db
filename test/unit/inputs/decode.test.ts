import {
  decodeInput,
  decodeKey,
  INPUT_KINDS,
  MAX_COMMAND_TTL_SECONDS,
  type InputKind,
  type TwinInput,
} from '../../../shared/inputs';
import { codeOf } from '../../support/error-code';
import { T0 } from '../twin/helpers';

const KEY = 'sensor-001';
/** A record time an hour after T0: payload times up to then are trusted. */
const LATER = T0 + 3_600_000;

function decode(
  kind: InputKind,
  value: unknown,
  key: Buffer | string | null = KEY,
  recordMs = T0,
): TwinInput {
  const bytes = typeof value === 'string' ? value : JSON.stringify(value);
  return decodeInput(kind, key, Buffer.from(bytes), recordMs);
}

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('decodeInput: keys, values, limits', () => {
  it('rejects missing, invalid and non-UTF-8 keys with INVALID_ID', () => {
    for (const key of [null, '', 'has space', 'a/b', '+', '#', '-leading', 'x'.repeat(129)]) {
      expect(codeOf(() => decode('telemetry', { t: 1 }, key))).toBe('INVALID_ID');
    }
    expect(codeOf(() => decode('telemetry', { t: 1 }, Buffer.from([0xff, 0xfe])))).toBe('INVALID_ID');
  });

  it('accepts keys as strings or UTF-8 buffers', () => {
    expect(decode('telemetry', { t: 1 }, Buffer.from('dev.1:a_b-c')).deviceId).toBe('dev.1:a_b-c');
    expect(decodeKey('x'.repeat(128))).toHaveLength(128);
  });

  it('rejects a null value and a bad record timestamp with VALIDATION_ERROR', () => {
    expect(codeOf(() => decodeInput('telemetry', KEY, null, T0))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decodeInput('telemetry', KEY, Buffer.from('{"t":1}'), Number.NaN))).toBe(
      'VALIDATION_ERROR',
    );
    expect(codeOf(() => decodeInput('telemetry', KEY, Buffer.from('{"t":1}'), -5))).toBe('VALIDATION_ERROR');
  });

  it('rejects an unknown kind', () => {
    expect(codeOf(() => decodeInput('bogus' as InputKind, KEY, Buffer.from('{}'), T0))).toBe(
      'VALIDATION_ERROR',
    );
  });

  it('accepts string values', () => {
    expect(decodeInput('status', KEY, 'online', T0)).toMatchObject({ status: 'online' });
  });

  it('passes payload limits through: oversized, too deep, malformed, invalid UTF-8', () => {
    const limits = { maxBytes: 64, maxDepth: 3, maxKeys: 4 };
    for (const kind of INPUT_KINDS) {
      expect(codeOf(() => decodeInput(kind, KEY, Buffer.from(`{"a":"${'x'.repeat(80)}"}`), T0, limits))).toBe(
        'PAYLOAD_TOO_LARGE',
      );
      expect(codeOf(() => decodeInput(kind, KEY, Buffer.from('{"a":[[[[1]]]]}'), T0, limits))).toBe(
        'LIMIT_EXCEEDED',
      );
      expect(
        codeOf(() => decodeInput(kind, KEY, Buffer.from('{"a":1,"b":2,"c":3,"d":4,"e":5}'), T0, limits)),
      ).toBe('LIMIT_EXCEEDED');
      expect(codeOf(() => decodeInput(kind, KEY, Buffer.from('{"a":'), T0, limits))).toBe('MALFORMED_JSON');
      const badUtf8 = Buffer.concat([
        Buffer.from('{"a":"'),
        Buffer.from([0xed, 0xa0, 0x80]),
        Buffer.from('"}'),
      ]);
      expect(codeOf(() => decodeInput(kind, KEY, badUtf8, T0, limits))).toBe('MALFORMED_JSON');
    }
  });

  it('rejects 10,000-deep nesting on every kind without a crash', () => {
    const deep = Buffer.from('['.repeat(10_000) + ']'.repeat(10_000));
    for (const kind of INPUT_KINDS)
      expect(codeOf(() => decodeInput(kind, KEY, deep, T0))).toBe('LIMIT_EXCEEDED');
  });

  it('rejects non-object JSON where an object is required', () => {
    for (const kind of ['telemetry', 'state', 'ack', 'error', 'desired', 'command', 'registry'] as const) {
      for (const v of ['[]', '1', '"x"', 'null'])
        expect(codeOf(() => decode(kind, v))).toBe('VALIDATION_ERROR');
    }
  });
});

describe('decodeInput: telemetry', () => {
  it('reads the wrapped form with a timestamp', () => {
    expect(
      decode('telemetry', { timestamp: '2026-11-24T10:31:02.120Z', data: { temperature: 23.5 } }, KEY, LATER),
    ).toEqual({
      kind: 'telemetry',
      deviceId: KEY,
      timestampMs: Date.UTC(2026, 10, 24, 10, 31, 2, 120),
      readings: { temperature: 23.5 },
    });
  });

  it('reads flat readings, taking timestamp out (seconds or milliseconds)', () => {
    expect(
      decode('telemetry', { temperature: 23.5, humidity: 65, timestamp: 1_795_516_200 }, KEY, LATER),
    ).toEqual({
      kind: 'telemetry',
      deviceId: KEY,
      timestampMs: 1_795_516_200_000,
      readings: { temperature: 23.5, humidity: 65 },
    });
    expect(decode('telemetry', { t: 1, timestamp: 1_795_516_200_123 }, KEY, LATER).timestampMs).toBe(
      1_795_516_200_123,
    );
  });

  it('uses the record timestamp when the payload has none', () => {
    expect(decode('telemetry', { data: { a: 1 } }).timestampMs).toBe(T0);
    expect(decode('telemetry', { a: 1 }).timestampMs).toBe(T0);
  });

  it('treats data as a reading when other readings sit next to it', () => {
    expect(decode('telemetry', { data: { a: 1 }, b: 2 })).toMatchObject({
      readings: { data: { a: 1 }, b: 2 },
    });
    expect(decode('telemetry', { data: 5 })).toMatchObject({ readings: { data: 5 } });
  });

  it('keeps nulls (they delete) and nested objects', () => {
    expect(decode('telemetry', { a: null, gps: { lat: 1, lon: null } })).toMatchObject({
      readings: { a: null, gps: { lat: 1, lon: null } },
    });
  });

  it('rejects empty readings and bad timestamps', () => {
    expect(codeOf(() => decode('telemetry', {}))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decode('telemetry', { timestamp: 1 }))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decode('telemetry', { data: {} }))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decode('telemetry', { a: 1, timestamp: 'soon' }))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decode('telemetry', { a: 1, timestamp: -1 }))).toBe('VALIDATION_ERROR');
  });

  it('drops prototype keys in readings', () => {
    const input = decode(
      'telemetry',
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"t":1}',
    );
    expect(input).toMatchObject({ readings: { t: 1 } });
    expect(Object.keys((input as { readings: object }).readings)).toEqual(['t']);
  });

  it('reports only-prototype-keys telemetry as empty', () => {
    expect(codeOf(() => decode('telemetry', '{"__proto__":{"polluted":1}}'))).toBe('VALIDATION_ERROR');
  });
});

describe('decodeInput: state', () => {
  it('reads {version, state} and {version, reported}', () => {
    expect(decode('state', { version: 7, state: { a: 1 } })).toEqual({
      kind: 'state',
      deviceId: KEY,
      timestampMs: T0,
      reported: { a: 1 },
      stateVersion: 7,
    });
    expect(decode('state', { reported: { a: 1 }, timestamp: 1_795_516_200 }, KEY, LATER)).toMatchObject({
      reported: { a: 1 },
      stateVersion: null,
      timestampMs: 1_795_516_200_000,
    });
  });

  it('reads flat state, taking version and timestamp out', () => {
    expect(
      decode('state', { a: 1, b: { c: 2 }, version: 3, timestamp: '2026-11-24T10:30:00Z' }, KEY, LATER),
    ).toEqual({
      kind: 'state',
      deviceId: KEY,
      timestampMs: Date.UTC(2026, 10, 24, 10, 30),
      reported: { a: 1, b: { c: 2 } },
      stateVersion: 3,
    });
  });

  it('accepts an empty state (everything removed)', () => {
    expect(decode('state', {})).toMatchObject({ reported: {}, stateVersion: null });
    expect(decode('state', { state: {}, version: 0 })).toMatchObject({ reported: {}, stateVersion: 0 });
  });

  it('treats state as a field when the message has other fields', () => {
    expect(decode('state', { state: { a: 1 }, mode: 'x' })).toMatchObject({
      reported: { state: { a: 1 }, mode: 'x' },
    });
  });

  it('rejects a version that is not a non-negative integer', () => {
    for (const version of [-1, 1.5, '3', null, 2 ** 60]) {
      expect(codeOf(() => decode('state', { version, state: {} }))).toBe('VALIDATION_ERROR');
    }
  });
});

describe('decodeInput: status', () => {
  it.each([
    ['online', 'online'],
    ['offline', 'offline'],
    [' ONLINE\n', 'online'],
    ['"offline"', 'offline'],
    ['{"status":"online"}', 'online'],
    ['{"status":"Offline"}', 'offline'],
  ])('reads %j', (raw, expected) => {
    expect(decode('status', raw)).toEqual({
      kind: 'status',
      deviceId: KEY,
      timestampMs: T0,
      status: expected,
    });
  });

  it('reads a timestamp from the JSON form', () => {
    expect(decode('status', { status: 'online', timestamp: 1_795_516_200 }, KEY, LATER).timestampMs).toBe(
      1_795_516_200_000,
    );
  });

  it('rejects anything else', () => {
    for (const raw of ['on', 'connected', '"maybe"', '{"status":"idle"}', '{}', '1', '[]', '']) {
      expect(['VALIDATION_ERROR', 'MALFORMED_JSON']).toContain(codeOf(() => decode('status', raw)));
    }
    expect(codeOf(() => decode('status', 'connected'))).toBe('MALFORMED_JSON');
    expect(codeOf(() => decode('status', '{"status":"idle"}'))).toBe('VALIDATION_ERROR');
  });
});

describe('decodeInput: ack', () => {
  it('reads command_id, status and an optional result', () => {
    expect(decode('ack', { command_id: 'c1', status: 'success', result: { ok: true } })).toEqual({
      kind: 'ack',
      deviceId: KEY,
      timestampMs: T0,
      commandId: 'c1',
      status: 'success',
      result: { ok: true },
    });
    expect(decode('ack', { command_id: 'c1', status: 'failed' })).not.toHaveProperty('result');
    expect(decode('ack', { command_id: 'c1', status: 'failed', result: null })).toHaveProperty(
      'result',
      null,
    );
  });

  it('rejects a missing or empty command_id or status', () => {
    for (const v of [
      { status: 'success' },
      { command_id: 'c1' },
      { command_id: '', status: 'success' },
      { command_id: 5, status: 'x' },
    ]) {
      expect(codeOf(() => decode('ack', v))).toBe('VALIDATION_ERROR');
    }
  });
});

describe('decodeInput: error', () => {
  it('reads error_code, message and optional details', () => {
    expect(decode('error', { error_code: 'E42', message: 'sensor fault', details: { pin: 3 } })).toEqual({
      kind: 'error',
      deviceId: KEY,
      timestampMs: T0,
      errorCode: 'E42',
      message: 'sensor fault',
      details: { pin: 3 },
    });
    expect(decode('error', { error_code: 'E42', message: '' })).toMatchObject({ message: '' });
  });

  it('rejects a missing code or message and an overlong message', () => {
    expect(codeOf(() => decode('error', { message: 'x' }))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decode('error', { error_code: 'E' }))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decode('error', { error_code: 'E', message: 'x'.repeat(4097) }))).toBe(
      'VALIDATION_ERROR',
    );
  });
});

describe('decodeInput: desired', () => {
  it('reads patch, ifVersion and requestId', () => {
    expect(decode('desired', { patch: { interval: 10, mode: null }, ifVersion: 4, requestId: 'r1' })).toEqual(
      {
        kind: 'desired',
        deviceId: KEY,
        timestampMs: T0,
        patch: { interval: 10, mode: null },
        ifVersion: 4,
        requestId: 'r1',
      },
    );
    const bare = decode('desired', { patch: {} });
    expect(bare).not.toHaveProperty('ifVersion');
    expect(bare).not.toHaveProperty('requestId');
  });

  it('rejects a missing or non-object patch and a bad ifVersion', () => {
    for (const v of [
      {},
      { patch: [] },
      { patch: 1 },
      { patch: {}, ifVersion: -1 },
      { patch: {}, ifVersion: '1' },
    ]) {
      expect(codeOf(() => decode('desired', v))).toBe('VALIDATION_ERROR');
    }
  });

  it('drops prototype keys inside the patch', () => {
    const input = decode(
      'desired',
      '{"patch":{"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"polluted":1}}}}}',
    );
    expect(input).toMatchObject({ patch: { a: {} } });
  });
});

describe('decodeInput: command', () => {
  it('reads all fields, ttl in seconds', () => {
    expect(
      decode('command', {
        command_id: 'c1',
        action: 'reboot',
        parameters: { delay: 5 },
        priority: 2,
        ttl: 30,
        requestId: 'r',
      }),
    ).toEqual({
      kind: 'command',
      deviceId: KEY,
      timestampMs: T0,
      commandId: 'c1',
      action: 'reboot',
      parameters: { delay: 5 },
      priority: 2,
      ttlMs: 30_000,
      requestId: 'r',
    });
  });

  it('defaults parameters to {} and priority to 0, leaves ttl to the config', () => {
    const input = decode('command', { command_id: 'c1', action: 'reboot' });
    expect(input).toMatchObject({ parameters: {}, priority: 0 });
    expect(input).not.toHaveProperty('ttlMs');
    expect(decode('command', { command_id: 'c1', action: 'x', priority: -3 })).toMatchObject({
      priority: -3,
    });
    expect(decode('command', { command_id: 'c1', action: 'x', ttl: 0.0001 })).toMatchObject({ ttlMs: 1 });
  });

  it('rejects bad fields', () => {
    for (const v of [
      { action: 'x' },
      { command_id: 'c1' },
      { command_id: 'c1', action: 'x', parameters: [] },
      { command_id: 'c1', action: 'x', priority: 1.5 },
      { command_id: 'c1', action: 'x', ttl: 0 },
      { command_id: 'c1', action: 'x', ttl: -1 },
      { command_id: 'c1', action: 'x', ttl: '10' },
      { command_id: 'c1', action: 'x', ttl: MAX_COMMAND_TTL_SECONDS + 1 },
      { command_id: 'x'.repeat(129), action: 'x' },
    ]) {
      expect(codeOf(() => decode('command', v))).toBe('VALIDATION_ERROR');
    }
  });
});

describe('decodeInput: registry', () => {
  it('reads every op with optional type, attributes and requestId', () => {
    for (const op of ['create', 'update', 'suspend', 'resume', 'decommission', 'delete']) {
      expect(decode('registry', { op })).toEqual({ kind: 'registry', deviceId: KEY, timestampMs: T0, op });
    }
    expect(
      decode('registry', { op: 'create', type: 'thermo', attributes: { room: 'A' }, requestId: 'r' }),
    ).toMatchObject({
      type: 'thermo',
      attributes: { room: 'A' },
      requestId: 'r',
    });
  });

  it('rejects unknown ops and bad fields', () => {
    for (const v of [
      {},
      { op: 'explode' },
      { op: 'create', type: '' },
      { op: 'update', attributes: 'x' },
      { op: 'toString' },
    ]) {
      expect(codeOf(() => decode('registry', v))).toBe('VALIDATION_ERROR');
    }
  });
});

describe("decodeInput: seed 001's envelope", () => {
  it('reads data as the readings, with the units of metadata', () => {
    const input = decode(
      'telemetry',
      {
        device_id: KEY,
        timestamp: 1707134400,
        type: 'telemetry',
        data: { temperature: 23.5, pressure: 1013.25, gone: null },
        metadata: { unit: 'celsius', units: { pressure: 'hPa' }, precision: 0.1 },
      },
      KEY,
    );
    expect(input).toEqual({
      kind: 'telemetry',
      deviceId: KEY,
      timestampMs: 1707134400_000,
      readings: { temperature: 23.5, pressure: 1013.25, gone: null },
      units: { temperature: 'celsius', pressure: 'hPa' },
    });
  });

  it('takes device_id and timestamp out of flat readings, and names no units', () => {
    expect(
      decode('telemetry', { device_id: KEY, timestamp: 1707134400, t: 1, metadata: { unit: 'x' } }),
    ).toEqual({
      kind: 'telemetry',
      deviceId: KEY,
      timestampMs: 1707134400_000,
      readings: { t: 1, metadata: { unit: 'x' } },
    });
  });

  it('refuses a device_id of another device on every device kind', () => {
    const other = { device_id: 'sensor-002' };
    expect(codeOf(() => decode('telemetry', { ...other, t: 1 }))).toBe('DEVICE_ID_MISMATCH');
    expect(codeOf(() => decode('state', { ...other, state: {} }))).toBe('DEVICE_ID_MISMATCH');
    expect(codeOf(() => decode('status', { ...other, status: 'online' }))).toBe('DEVICE_ID_MISMATCH');
    expect(codeOf(() => decode('ack', { ...other, command_id: 'c', status: 'success' }))).toBe(
      'DEVICE_ID_MISMATCH',
    );
    expect(codeOf(() => decode('error', { ...other, error_code: 'E', message: 'm' }))).toBe(
      'DEVICE_ID_MISMATCH',
    );
  });

  it('refuses an envelope type that is not the kind of the topic', () => {
    expect(codeOf(() => decode('telemetry', { type: 'state', data: { t: 1 } }))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => decode('error', { type: 'telemetry', error_code: 'E', message: 'm' }))).toBe(
      'VALIDATION_ERROR',
    );
    expect(decode('state', { type: 'state', state: { a: 1 } })).toMatchObject({ reported: { a: 1 } });
  });

  it('keeps an integer error_code as its text', () => {
    expect(decode('error', { error_code: 7, message: 'm' })).toMatchObject({ errorCode: '7' });
    expect(codeOf(() => decode('error', { error_code: 7.5, message: 'm' }))).toBe('VALIDATION_ERROR');
  });
});
