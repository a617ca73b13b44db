import { ConfigError, loadCommonConfig, loadConfig } from '../../../shared/config';

describe('loadConfig', () => {
  it('has defaults that work on one laptop', () => {
    const config = loadConfig({});
    expect(config.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(config.processingGuarantee).toBe('exactly_once');
    expect(config.partitions).toBe(8);
  });

  it('reports every mistake at once, one line each, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({
        PARTITIONS: 'many',
        PROCESSING_GUARANTEE: 'maybe',
        KAFKA_BROKERS: 'nohost',
        HTTP_PORT: '70000',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PARTITIONS must be an integer/);
    expect(problems.join('\n')).toMatch(/PROCESSING_GUARANTEE must be one of exactly_once, at_least_once/);
    expect(problems.join('\n')).toMatch(/KAFKA_BROKERS "nohost" is not host:port/);
    expect(problems.join('\n')).toMatch(/HTTP_PORT must be between 0 and 65535/);
  });

  it("is the service's own: MQTT settings are the bridge's", () => {
    expect(() => loadConfig({ MQTT_URL: 'not a url' })).not.toThrow();
    expect(loadConfig({})).not.toHaveProperty('mqttUrl');
  });

  it('requires SASL credentials when a mechanism is set', () => {
    expect(() => loadConfig({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required/,
    );
    expect(
      loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })
        .kafkaSaslMechanism,
    ).toBe('plain');
  });
});

describe('loadCommonConfig', () => {
  it('reads only the settings every component shares', () => {
    const config = loadCommonConfig({ HTTP_PORT: 'eighty', AUTH_MODE: 'jwt', TOPIC_PREFIX: 'staging.' });
    expect(config.topicPrefix).toBe('staging.');
    expect(config).not.toHaveProperty('httpPort');
  });

  it('checks the SASL credentials too', () => {
    expect(() => loadCommonConfig({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(ConfigError);
  });
});
