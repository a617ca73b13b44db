import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBridgeConfig } from '../../../bridge/bridge-config';
import { assertTransition } from '../../../bridge/lifecycle';
import { downlinkMqttOptions, uplinkMqttOptions } from '../../../bridge/mqtt-options';
import { ConfigError } from '../../../shared/config';
import { loadBridgeSettings } from '../../../bridge/bridge-config';

describe('loadBridgeConfig', () => {
  it('has working defaults', () => {
    const c = loadBridgeConfig({});
    expect(c).toMatchObject({
      clientId: 'twinfold-bridge',
      sharedGroup: undefined,
      maxInFlight: 1000,
      bridgeStatusTopic: 'twinfold/bridge/status',
      httpPort: 9464,
    });
    expect(c.telemetryTemplate.filter()).toBe('device/+/telemetry');
    expect(c.commandTemplate.format('x')).toBe('device/x/command');
  });

  it('reads BRIDGE_* variables', () => {
    const c = loadBridgeConfig({
      BRIDGE_CLIENT_ID: 'bridge-2',
      BRIDGE_SHARED_GROUP: 'bridges',
      BRIDGE_MAX_IN_FLIGHT: '50',
      BRIDGE_TOPIC_TELEMETRY: 'fleet/{id}/t',
    });
    expect(c).toMatchObject({ clientId: 'bridge-2', sharedGroup: 'bridges', maxInFlight: 50 });
    expect(c.telemetryTemplate.filter(c.sharedGroup)).toBe('$share/bridges/fleet/+/t');
  });

  it('reports every invalid variable at once', () => {
    try {
      loadBridgeConfig({
        BRIDGE_CLIENT_ID: 'a b',
        BRIDGE_SHARED_GROUP: 'x/y',
        BRIDGE_MAX_IN_FLIGHT: '0',
        BRIDGE_STATUS_TOPIC: 'twinfold/#',
        BRIDGE_TOPIC_STATE: 'device/state',
      });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(' ')[0])).toEqual([
        'BRIDGE_CLIENT_ID',
        'BRIDGE_SHARED_GROUP',
        'BRIDGE_MAX_IN_FLIGHT',
        'BRIDGE_STATUS_TOPIC',
        'BRIDGE_TOPIC_STATE',
      ]);
    }
  });
});

describe('loadBridgeSettings', () => {
  it('reads the common settings and its own, and none of the service', () => {
    const { config, bridge } = loadBridgeSettings({
      KAFKA_BROKERS: 'k1:9092',
      MQTT_URL: 'mqtt://broker:1883',
      // Invalid service settings: the bridge does not read them.
      HTTP_PORT: 'eighty',
      PARTITIONS: '0',
      AUTH_MODE: 'jwt',
      SSE_MAX_STREAMS: '-1',
    });
    expect(config.kafkaBrokers).toEqual(['k1:9092']);
    expect(bridge.mqttUrl).toBe('mqtt://broker:1883');
    expect(config).not.toHaveProperty('httpPort');
  });

  it('reports the invalid common and bridge settings together', () => {
    expect(() =>
      loadBridgeSettings({ KAFKA_BROKERS: 'nohost', LOG_LEVEL: 'loud', MQTT_URL: 'not a url' }),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(/^LOG_LEVEL /),
          expect.stringMatching(/^KAFKA_BROKERS /),
          expect.stringMatching(/^MQTT_URL /),
        ],
      }),
    );
  });
});

describe('MQTT options', () => {
  const bridge = loadBridgeConfig({ BRIDGE_MAX_IN_FLIGHT: '200', BRIDGE_SESSION_EXPIRY_SECONDS: '600' });

  it('uplink: MQTT 5 persistent session, receive maximum = in-flight limit, offline will', () => {
    const o = uplinkMqttOptions({ ...bridge, mqttUsername: 'u', mqttPassword: 'p' });
    expect(o).toMatchObject({
      protocolVersion: 5,
      clientId: 'twinfold-bridge',
      clean: false,
      username: 'u',
      password: 'p',
      properties: { sessionExpiryInterval: 600, receiveMaximum: 200 },
      will: { topic: 'twinfold/bridge/status', qos: 1, retain: true },
    });
    expect(String(o.will?.payload)).toBe('offline');
  });

  it('downlink: its own client id, no credentials when none are configured', () => {
    const o = downlinkMqttOptions(bridge);
    expect(o.clientId).toBe('twinfold-bridge-downlink');
    expect(o).not.toHaveProperty('username');
  });
});

describe('MQTT TLS', () => {
  it('reads the CA of MQTT_CA_FILE into both connections', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const bridge = loadBridgeConfig({ MQTT_CA_FILE: file });
    for (const o of [uplinkMqttOptions(bridge), downlinkMqttOptions(bridge)]) {
      expect(String(o.ca)).toContain('BEGIN CERTIFICATE');
      expect(o.rejectUnauthorized).toBe(true);
    }
    rmSync(dir, { recursive: true });
  });

  it('refuses a missing or non-PEM CA file at start-up', () => {
    expect(() => loadBridgeConfig({ MQTT_CA_FILE: '/nonexistent/ca.pem' })).toThrow(
      /MQTT_CA_FILE must name a readable file/,
    );
    expect(() =>
      loadBridgeConfig({ MQTT_CA_FILE: join(__dirname, '..', '..', '..', 'package.json') }),
    ).toThrow(/MQTT_CA_FILE must be a PEM certificate file/);
  });
});

describe('bridge lifecycle', () => {
  it('allows the documented transitions only', () => {
    expect(() => assertTransition('created', 'starting')).not.toThrow();
    expect(() => assertTransition('starting', 'stopping')).not.toThrow();
    expect(() => assertTransition('running', 'starting')).toThrow('cannot go from running to starting');
    expect(() => assertTransition('stopped', 'starting')).toThrow();
  });
});
