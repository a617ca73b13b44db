import { TwinfoldError, type ErrorCode } from '../../../shared/errors';
import { normaliseUplinkPayload, type UplinkKind } from '../../../bridge/uplink-payload';

const limits = { maxBytes: 1024, maxDepth: 4, maxKeys: 20 };
const normalise = (kind: UplinkKind, payload: string | Buffer): unknown =>
  JSON.parse(normaliseUplinkPayload(kind, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), limits));

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof TwinfoldError) return err.code;
    throw err;
  }
  return undefined;
}
const failure = (kind: UplinkKind, payload: string | Buffer): ErrorCode | undefined =>
  codeOf(() =>
    normaliseUplinkPayload(kind, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), limits),
  );

describe('normaliseUplinkPayload', () => {
  it('re-serialises JSON objects compactly', () => {
    const text = normaliseUplinkPayload(
      'telemetry',
      Buffer.from('{ "temperature" : 23.5,\n "humidity": 65 }'),
      limits,
    );
    expect(text).toBe('{"temperature":23.5,"humidity":65}');
  });

  it('keeps both telemetry layouts as they are', () => {
    expect(normalise('telemetry', '{"timestamp":1707134400,"data":{"t":1}}')).toEqual({
      timestamp: 1707134400,
      data: { t: 1 },
    });
    expect(normalise('telemetry', '{"timestamp":"2026-11-24T10:30:00Z","t":1}')).toEqual({
      timestamp: '2026-11-24T10:30:00Z',
      t: 1,
    });
  });

  it('drops prototype-polluting keys', () => {
    expect(
      normalise('state', '{"__proto__":{"admin":true},"constructor":1,"a":{"prototype":2,"b":3}}'),
    ).toEqual({ a: { b: 3 } });
  });

  it.each([
    ['online', { status: 'online' }],
    ['offline', { status: 'offline' }],
    [' online\n', { status: 'online' }],
    ['"offline"', { status: 'offline' }],
    ['{"status":"online","since":5}', { status: 'online', since: 5 }],
  ])('normalises status %j', (payload, expected) => {
    expect(normalise('status', payload)).toEqual(expected);
  });

  it.each<[UplinkKind, string | Buffer, ErrorCode]>([
    ['telemetry', 'not json', 'MALFORMED_JSON'],
    ['telemetry', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), 'MALFORMED_JSON'],
    ['telemetry', '', 'MALFORMED_JSON'],
    ['telemetry', '[1,2]', 'VALIDATION_ERROR'],
    ['telemetry', '42', 'VALIDATION_ERROR'],
    ['telemetry', 'null', 'VALIDATION_ERROR'],
    ['telemetry', '{"timestamp":{"x":1}}', 'VALIDATION_ERROR'],
    ['telemetry', '{"a":{"b":{"c":{"d":{"e":1}}}}}', 'LIMIT_EXCEEDED'],
    ['telemetry', '{"x":' + '1'.repeat(1100) + '}', 'PAYLOAD_TOO_LARGE'],
    ['state', '{"version":-1}', 'VALIDATION_ERROR'],
    ['state', '{"version":"3"}', 'VALIDATION_ERROR'],
    ['ack', '{"status":"success"}', 'VALIDATION_ERROR'],
    ['ack', '{"command_id":"c1"}', 'VALIDATION_ERROR'],
    ['error', '{"error_code":"E1"}', 'VALIDATION_ERROR'],
    ['error', '{"message":"boom"}', 'VALIDATION_ERROR'],
    ['status', 'maybe', 'MALFORMED_JSON'],
    ['status', 'ONLINE', 'MALFORMED_JSON'],
    ['status', '{"status":"sleeping"}', 'VALIDATION_ERROR'],
    ['status', '"away"', 'VALIDATION_ERROR'],
    ['status', '', 'MALFORMED_JSON'],
    ['status', Buffer.from([0xff, 0xfe]), 'MALFORMED_JSON'],
  ])('refuses %s payload %j with %s', (kind, payload, code) => {
    expect(failure(kind, payload)).toBe(code);
  });

  it('accepts the contract shapes of ack, error and state', () => {
    expect(normalise('ack', '{"command_id":"c1","status":"success","result":{"x":1}}')).toMatchObject({
      command_id: 'c1',
    });
    expect(normalise('error', '{"error_code":7,"message":"boom"}')).toMatchObject({ error_code: 7 });
    expect(normalise('state', '{"version":3,"power":"on"}')).toEqual({ version: 3, power: 'on' });
  });
});
