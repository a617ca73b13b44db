import { DEFAULT_JSON_LIMITS } from '../../../shared/safe-json';
import { isTwinfoldError } from '../../../shared/errors';
import { topicNames } from '../../../shared/topics';
import {
  CONNECTION_NOTIFICATION,
  EMPTY_NOTIFICATION,
  mapUplink,
  type HonoMessage,
  type UplinkContext,
} from '../../../adapters/hono/uplink-map';
import type { HonoSource } from '../../../adapters/hono/hono-topics';

const NOW = Date.now();
const CREATED = NOW - 60_000;
const ctx: UplinkContext = {
  names: topicNames({ topicPrefix: '' }),
  eventInput: 'telemetry',
  limits: DEFAULT_JSON_LIMITS,
  nowMs: NOW,
};
const telemetry: HonoSource = { channel: 'telemetry', tenant: 'acme' };
const event: HonoSource = { channel: 'event', tenant: 'acme' };

/** A record as Hono's Kafka API writes it: key = device id, headers as UTF-8 strings. */
function hono(
  value: string | null,
  headers: Record<string, string>,
  key: string | null = 'dev-1',
): HonoMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: value === null ? null : Buffer.from(value),
    headers: { device_id: 'dev-1', 'creation-time': String(CREATED), qos: '1', ...headers },
    timestamp: String(CREATED + 5),
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isTwinfoldError(err)) return err.code;
    throw err;
  }
  throw new Error('did not throw');
}

const text = (b: Buffer | string | null | undefined): string => (b == null ? '' : b.toString());

describe('Hono uplink mapping', () => {
  it('keeps the bytes of a timed JSON payload and keys it by <tenant>:<device>', () => {
    const payload = '{"timestamp": 1764000000000,  "temperature": 21.5}';
    const out = mapUplink(telemetry, hono(payload, { 'content-type': 'application/json' }), ctx);
    expect(out.records).toHaveLength(1);
    expect(out.records[0]!.topic).toBe('device.telemetry');
    expect(out.records[0]!.message.key).toBe('acme:dev-1');
    expect(text(out.records[0]!.message.value)).toBe(payload);
    expect(out.records[0]!.message.headers).toMatchObject({ 'hono.device_id': 'dev-1', 'hono.qos': '1' });
    expect(out.timer).toBeUndefined();
  });

  it('times an untimed payload by creation-time and renames the Hono device_id to the twin id', () => {
    const payload = '{"device_id": "dev-1", "data": {"temperature": 21.5}}';
    const out = mapUplink(
      telemetry,
      hono(payload, { 'content-type': 'application/json; charset=utf-8' }),
      ctx,
    );
    expect(JSON.parse(text(out.records[0]!.message.value))).toEqual({
      device_id: 'acme:dev-1',
      data: { temperature: 21.5 },
      timestamp: CREATED,
    });
  });

  it('sends events to HONO_EVENT_INPUT, state when configured', () => {
    const msg = hono('{"firmware": "1.2"}', { 'content-type': 'application/vnd.acme+json' });
    expect(mapUplink(event, msg, ctx).records[0]!.topic).toBe('device.telemetry');
    expect(mapUplink(event, msg, { ...ctx, eventInput: 'state' }).records[0]!.topic).toBe('device.state');
  });

  it('reads the content types of HONO_JSON_TYPES as JSON', () => {
    const msg = hono('{"t": 1, "timestamp": 1764000000000}', { 'content-type': 'application/octet-stream' });
    expect(codeOf(() => mapUplink(telemetry, msg, ctx))).toBe('UNSUPPORTED_MEDIA_TYPE');
    const out = mapUplink(telemetry, msg, { ...ctx, jsonTypes: new Set(['application/octet-stream']) });
    expect(text(out.records[0]!.message.value)).toBe('{"t": 1, "timestamp": 1764000000000}');
  });

  it('turns empty notifications into status by ttd: -1 online, 0 offline, >0 online until', () => {
    const status = (ttd: string) =>
      mapUplink(event, hono(null, { 'content-type': EMPTY_NOTIFICATION, ttd }), ctx);
    const forever = status('-1');
    expect(forever.records.map((r) => [r.topic, text(r.message.value)])).toEqual([
      ['device.status', '{"status":"online"}'],
    ]);
    expect(forever.timer).toEqual({ twinId: 'acme:dev-1', offlineAtMs: null });
    expect(text(status('0').records[0]!.message.value)).toBe('{"status":"offline"}');
    const window = status('600');
    expect(text(window.records[0]!.message.value)).toBe('{"status":"online"}');
    expect(window.timer).toEqual({ twinId: 'acme:dev-1', offlineAtMs: CREATED + 600_000 });
    // A window already closed (read from a backlog): online, then offline at once.
    const closed = status('30');
    expect(closed.records.map((r) => text(r.message.value))).toEqual([
      '{"status":"online"}',
      '{"status":"offline"}',
    ]);
    expect(closed.timer).toEqual({ twinId: 'acme:dev-1', offlineAtMs: null });
    // Without ttd an empty notification says nothing.
    expect(mapUplink(event, hono(null, { 'content-type': EMPTY_NOTIFICATION }), ctx).records).toEqual([]);
  });

  it('turns connection notifications into status by cause', () => {
    const note = (cause: string) =>
      mapUplink(
        event,
        hono(JSON.stringify({ cause, 'remote-id': 'r1', source: 'hono-mqtt', data: {} }), {
          'content-type': CONNECTION_NOTIFICATION,
        }),
        ctx,
      );
    expect(text(note('connected').records[0]!.message.value)).toBe('{"status":"online"}');
    expect(text(note('disconnected').records[0]!.message.value)).toBe('{"status":"offline"}');
    expect(codeOf(() => note('sleeping'))).toBe('VALIDATION_ERROR');
  });

  it('moves the ttd window on a data message without a status record', () => {
    const out = mapUplink(
      telemetry,
      hono('{"t": 1}', { 'content-type': 'application/json', ttd: '120' }),
      ctx,
    );
    expect(out.records.map((r) => r.topic)).toEqual(['device.telemetry']);
    expect(out.timer).toEqual({ twinId: 'acme:dev-1', offlineAtMs: CREATED + 120_000 });
  });

  it('refuses bad input with a stable code', () => {
    const json = { 'content-type': 'application/json' };
    expect(
      codeOf(() =>
        mapUplink(telemetry, hono('{"t":1}', { 'content-type': 'application/octet-stream' }), ctx),
      ),
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(codeOf(() => mapUplink(telemetry, hono('{"t":1}', { 'content-type': '' }), ctx))).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(
      codeOf(() => mapUplink(telemetry, hono('{"t":1}', { ...json, 'content-encoding': 'gzip' }), ctx)),
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(codeOf(() => mapUplink(telemetry, hono('{"t":', json), ctx))).toBe('MALFORMED_JSON');
    expect(codeOf(() => mapUplink(telemetry, hono('{}', json), ctx))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => mapUplink(telemetry, hono('{"t":1}', { ...json, device_id: '' }, null), ctx))).toBe(
      'INVALID_ID',
    );
    expect(
      codeOf(() => mapUplink(telemetry, hono('{"t":1}', { ...json, device_id: 'dev 1' }, 'dev 1'), ctx)),
    ).toBe('INVALID_ID');
    expect(codeOf(() => mapUplink(telemetry, hono('{"t":1}', json, 'dev-2'), ctx))).toBe(
      'DEVICE_ID_MISMATCH',
    );
    expect(codeOf(() => mapUplink(telemetry, hono('{"t":1, "device_id": "dev-2"}', json), ctx))).toBe(
      'DEVICE_ID_MISMATCH',
    );
    expect(codeOf(() => mapUplink(telemetry, hono('{"t":1}', { ...json, ttd: 'soon' }), ctx))).toBe(
      'VALIDATION_ERROR',
    );
    expect(
      codeOf(() => mapUplink(telemetry, hono('{"t":1}', { ...json, 'creation-time': 'yesterday' }), ctx)),
    ).toBe('VALIDATION_ERROR');
  });

  it('takes the device id from the header when the record has no key, and times by the record without creation-time', () => {
    const msg = hono('{"t": 1}', { 'content-type': 'application/json' }, null);
    delete msg.headers!['creation-time'];
    const out = mapUplink(telemetry, msg, ctx);
    expect(out.records[0]!.message.key).toBe('acme:dev-1');
    expect(JSON.parse(text(out.records[0]!.message.value))).toEqual({ t: 1, timestamp: CREATED + 5 });
  });
});
