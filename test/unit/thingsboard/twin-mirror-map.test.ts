import type { JsonObject } from '../../../shared/json';
import { mirrorTwin, type FieldMapping } from '../../../adapters/thingsboard/twin-mirror-map';

const mapping: FieldMapping = {
  telemetryFields: 'all',
  attributeFields: new Set(['firmware']),
  deviceType: 'default',
};

/** A twin document as device.twins carries it (docs/contract.md), at version 17. */
function twin(overrides: JsonObject = {}): JsonObject {
  return {
    id: 'sensor-001',
    type: 'temperature_sensor',
    lifecycle: 'active',
    connection: { status: 'online', since: '2026-11-24T10:30:00.000Z', lastSeen: '2026-11-24T10:31:02.120Z' },
    reported: { temperature: 23.5, pressure: 1013.25, humidity: 65, firmware: '1.2.3' },
    desired: {},
    metadata: {
      reported: {
        temperature: { timestamp: '2026-11-24T10:31:02.120Z', version: 17 },
        pressure: { timestamp: '2026-11-24T10:31:01.000Z', version: 17 },
        humidity: { timestamp: '2026-11-24T10:30:00.500Z', version: 16 },
        firmware: { timestamp: '2026-11-24T10:00:00.000Z', version: 3 },
      },
      desired: {},
    },
    attributes: { location: 'Room A' },
    version: 17,
    ...overrides,
  };
}

const payloads = (r: ReturnType<typeof mirrorTwin>): [string, unknown][] =>
  r.messages.map((m) => [m.topic, JSON.parse(m.payload) as unknown]);

describe('mirrorTwin (device.twins → ThingsBoard gateway messages)', () => {
  it('connects a device first seen, sends the fields changed in this version as telemetry at their own times, and the attributes', () => {
    const r = mirrorTwin('sensor-001', twin(), mapping, undefined, 1);
    expect(payloads(r)).toEqual([
      ['v1/gateway/connect', { device: 'sensor-001', type: 'temperature_sensor' }],
      [
        'v1/gateway/telemetry',
        {
          'sensor-001': [
            { ts: Date.parse('2026-11-24T10:31:01.000Z'), values: { pressure: 1013.25 } },
            { ts: Date.parse('2026-11-24T10:31:02.120Z'), values: { temperature: 23.5 } },
          ],
        },
      ],
      [
        'v1/gateway/attributes',
        {
          'sensor-001': {
            location: 'Room A',
            firmware: '1.2.3',
            connectionStatus: 'online',
            lifecycle: 'active',
          },
        },
      ],
    ]);
  });

  it('sends only what changed once the device is known on this connection', () => {
    const first = mirrorTwin('sensor-001', twin(), mapping, undefined, 1);
    const next = twin({ version: 18, connection: { status: 'offline', since: null, lastSeen: null } });
    (next.metadata as { reported: JsonObject }).reported.humidity = {
      timestamp: '2026-11-24T10:32:00.000Z',
      version: 18,
    };
    const r = mirrorTwin('sensor-001', next, mapping, first.remember, 1);
    expect(payloads(r)).toEqual([
      [
        'v1/gateway/telemetry',
        { 'sensor-001': [{ ts: Date.parse('2026-11-24T10:32:00.000Z'), values: { humidity: 65 } }] },
      ],
      ['v1/gateway/attributes', { 'sensor-001': { connectionStatus: 'offline' } }],
    ]);
  });

  it('connects again on a new MQTT connection, and uses TB_DEVICE_TYPE for a twin of unknown type', () => {
    const first = mirrorTwin('sensor-001', twin({ type: 'unknown' }), mapping, undefined, 1);
    const r = mirrorTwin('sensor-001', twin({ type: 'unknown', version: 18 }), mapping, first.remember, 2);
    expect(payloads(r)).toEqual([['v1/gateway/connect', { device: 'sensor-001', type: 'default' }]]);
  });

  it('keeps fields out of telemetry that are attributes or not listed in TB_TELEMETRY_FIELDS', () => {
    const only: FieldMapping = { ...mapping, telemetryFields: new Set(['temperature', 'firmware']) };
    const doc = twin();
    (doc.metadata as { reported: JsonObject }).reported.firmware = {
      timestamp: '2026-11-24T10:31:02.120Z',
      version: 17,
    };
    const telemetry = payloads(mirrorTwin('sensor-001', doc, only, undefined, 1)).find(
      ([t]) => t === 'v1/gateway/telemetry',
    );
    expect(telemetry?.[1]).toEqual({
      'sensor-001': [{ ts: Date.parse('2026-11-24T10:31:02.120Z'), values: { temperature: 23.5 } }],
    });
  });

  it('disconnects a deleted twin (tombstone) it had announced, and forgets it', () => {
    const first = mirrorTwin('sensor-001', twin(), mapping, undefined, 1);
    const r = mirrorTwin('sensor-001', null, mapping, first.remember, 1);
    expect(payloads(r)).toEqual([['v1/gateway/disconnect', { device: 'sensor-001' }]]);
    expect(r.remember).toBeUndefined();
    expect(mirrorTwin('sensor-001', null, mapping, undefined, 1).messages).toEqual([]);
  });

  it('gives nothing for a record that is not a twin document', () => {
    expect(mirrorTwin('sensor-001', { hello: 'world' }, mapping, undefined, 1).messages).toEqual([]);
  });
});
