import { DEFAULT_JSON_LIMITS } from '../../../shared/safe-json';
import { isTwinfoldError } from '../../../shared/errors';
import { topicNames } from '../../../shared/topics';
import { mapCommand } from '../../../adapters/hono/command-map';
import { ackStatusOf, DELIVERY_FAILURE, mapResponse } from '../../../adapters/hono/response-map';
import { honoTwinId, splitTwinId } from '../../../adapters/hono/twin-id';
import type { UplinkContext } from '../../../adapters/hono/uplink-map';
import { loadHonoConfig } from '../../../adapters/hono/settings';

const ctx: UplinkContext = {
  names: topicNames({ topicPrefix: '' }),
  eventInput: 'telemetry',
  limits: DEFAULT_JSON_LIMITS,
  nowMs: Date.now(),
};
const tenants = new Set(['acme', 'org.eclipse']);

function downlink(body: unknown): [Buffer, Buffer] {
  const b = body as { deviceId: string };
  return [Buffer.from(b.deviceId), Buffer.from(JSON.stringify(body))];
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

describe('twin ids of Hono devices', () => {
  it('are <tenant>:<device>, split at the first colon', () => {
    expect(honoTwinId('acme', 'dev-1')).toBe('acme:dev-1');
    expect(splitTwinId('org.eclipse:ns:thing-1', tenants)).toEqual({
      tenant: 'org.eclipse',
      device: 'ns:thing-1',
    });
    expect(splitTwinId('other:dev-1', tenants)).toBeUndefined();
    expect(splitTwinId('sensor-001', tenants)).toBeUndefined();
    expect(codeOf(() => honoTwinId('acme', 'dev/1'))).toBe('INVALID_ID');
    expect(codeOf(() => honoTwinId('acme', 'x'.repeat(200)))).toBe('INVALID_ID');
  });
});

describe('commands to Hono', () => {
  const command = {
    kind: 'command',
    deviceId: 'acme:dev-1',
    payload: {
      command_id: 'c-1',
      action: 'set_brightness',
      parameters: { brightness: 75 },
      timestamp: '2026-11-24T10:31:02.120Z',
      timeout: 60,
    },
  };

  it('become a record on <prefix>command.<tenant> with Hono headers', () => {
    const record = mapCommand(...downlink(command), 'hono.', tenants, DEFAULT_JSON_LIMITS);
    expect(record).toEqual({
      topic: 'hono.command.acme',
      message: {
        key: 'dev-1',
        value: '{"brightness":75}',
        headers: {
          device_id: 'dev-1',
          subject: 'set_brightness',
          'correlation-id': 'c-1',
          'response-required': 'true',
          'content-type': 'application/json',
        },
      },
    });
  });

  it('skip other twins, desired state and broken records', () => {
    expect(
      mapCommand(...downlink({ ...command, deviceId: 'sensor-1' }), 'hono.', tenants, DEFAULT_JSON_LIMITS),
    ).toBeUndefined();
    expect(
      mapCommand(...downlink({ ...command, kind: 'desired' }), 'hono.', tenants, DEFAULT_JSON_LIMITS),
    ).toBeUndefined();
    expect(
      mapCommand(Buffer.from('acme:dev-1'), Buffer.from('{'), 'hono.', tenants, DEFAULT_JSON_LIMITS),
    ).toBeUndefined();
  });
});

describe('Hono command responses', () => {
  const response = (status: string, value: string | null, contentType?: string) => ({
    key: Buffer.from('dev-1'),
    value: value === null ? null : Buffer.from(value),
    headers: {
      'correlation-id': 'c-1',
      device_id: 'dev-1',
      tenant_id: 'acme',
      'creation-time': String(Date.now()),
      status,
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    timestamp: String(Date.now()),
  });
  const ack = (m: ReturnType<typeof response>) => {
    const record = mapResponse('acme', m, ctx);
    expect(record.topic).toBe('device.acks');
    expect(record.message.key).toBe('acme:dev-1');
    return JSON.parse(String(record.message.value)) as unknown;
  };

  it('map 2xx to success and anything else to failed', () => {
    expect([200, 204, 299, 199, 300, 404, 503].map(ackStatusOf)).toEqual([
      'success',
      'success',
      'success',
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
    expect(ack(response('200', '{"brightness": 75}', 'application/json'))).toEqual({
      command_id: 'c-1',
      status: 'success',
      result: { status: 200, payload: { brightness: 75 } },
    });
    expect(ack(response('500', null))).toEqual({
      command_id: 'c-1',
      status: 'failed',
      result: { status: 500 },
    });
  });

  it("map Hono's delivery failure notifications to failed acks with the error", () => {
    expect(ack(response('503', '{"error": "device not connected"}', DELIVERY_FAILURE))).toEqual({
      command_id: 'c-1',
      status: 'failed',
      result: { status: 503, error: 'device not connected' },
    });
  });

  it('refuse responses without correlation-id or status, or with bad JSON', () => {
    const m = response('200', null);
    delete (m.headers as Record<string, string>)['correlation-id'];
    expect(codeOf(() => mapResponse('acme', m, ctx))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => mapResponse('acme', response('OK', null), ctx))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => mapResponse('acme', response('700', null), ctx))).toBe('VALIDATION_ERROR');
    expect(codeOf(() => mapResponse('acme', response('200', '{', 'application/json'), ctx))).toBe(
      'MALFORMED_JSON',
    );
  });
});

describe('HONO_* settings', () => {
  it('need tenants and refuse tenant ids that cannot form a twin id', () => {
    expect(loadHonoConfig({ HONO_TENANTS: 'acme, org.eclipse' }).tenants).toEqual(['acme', 'org.eclipse']);
    expect(() => loadHonoConfig({})).toThrow(/HONO_TENANTS must name at least one/);
    expect(() => loadHonoConfig({ HONO_TENANTS: 'a:b' })).toThrow(/HONO_TENANTS tenant ids must match/);
    expect(() => loadHonoConfig({ HONO_TENANTS: 'a', HONO_EVENT_INPUT: 'ack' })).toThrow(/HONO_EVENT_INPUT/);
    expect(
      loadHonoConfig({ HONO_TENANTS: 'a', HONO_JSON_TYPES: 'Application/Octet-Stream, text/plain' })
        .jsonTypes,
    ).toEqual(new Set(['application/octet-stream', 'text/plain']));
    expect(() => loadHonoConfig({ HONO_TENANTS: 'a', HONO_JSON_TYPES: 'json' })).toThrow(/HONO_JSON_TYPES/);
  });
});
