import { loadThingsBoardConfig } from '../../../adapters/thingsboard/settings';
import { ConfigError } from '../../../shared/env-parsers';

describe('ThingsBoard adapter settings', () => {
  it('needs the gateway token and reads the field mapping', () => {
    const tb = loadThingsBoardConfig({
      TB_GATEWAY_TOKEN: 'A1_TEST_TOKEN',
      TB_TELEMETRY_FIELDS: 'temperature, humidity',
      TB_ATTRIBUTE_FIELDS: 'firmware',
    });
    expect(tb.gatewayToken).toBe('A1_TEST_TOKEN');
    expect([...(tb.telemetryFields as Set<string>)]).toEqual(['temperature', 'humidity']);
    expect([...tb.attributeFields]).toEqual(['firmware']);
    expect(loadThingsBoardConfig({ TB_GATEWAY_TOKEN: 't' }).telemetryFields).toBe('all');
  });

  it('names every invalid setting at once', () => {
    let problems: string[] = [];
    try {
      loadThingsBoardConfig({ TB_MQTT_URL: 'nope', TB_RPC_TTL_SECONDS: '0', TB_DEVICE_TYPE: ' ' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'TB_MQTT_URL',
      'TB_GATEWAY_TOKEN',
      'TB_DEVICE_TYPE',
      'TB_RPC_TTL_SECONDS',
    ]);
  });
});
