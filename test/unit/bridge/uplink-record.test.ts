import { toUplinkRecord, type InboundMessage } from '../../../bridge/uplink-record';
import { topicNames } from '../../../shared/topics';
import { defaultUplinkRoutes } from '../../support/uplink-routes';

const names = topicNames({ topicPrefix: 'p.' });
const routes = defaultUplinkRoutes(names);
const limits = { maxBytes: 100, maxDepth: 8, maxKeys: 50 };

function inbound(
  topic: string,
  payload: string | Buffer,
  extra: Partial<InboundMessage> = {},
): InboundMessage {
  return {
    topic,
    payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
    qos: 1,
    retain: false,
    receivedAt: 1_700_000_000_123,
    messageId: 'm-1',
    ...extra,
  };
}

const convert = (msg: InboundMessage) => toUplinkRecord(msg, routes, names.dlq, limits);

describe('toUplinkRecord', () => {
  it('keys telemetry by device id with the original bytes and the MQTT headers', () => {
    const r = convert(inbound('device/sensor-001/telemetry', '{ "t": 1 }'));
    expect(r.topic).toBe('p.device.telemetry');
    expect(r.kind).toBe('telemetry');
    expect(r.errorCode).toBeUndefined();
    expect(r.message).toEqual({
      key: 'sensor-001',
      value: Buffer.from('{ "t": 1 }'),
      timestamp: '1700000000123',
      headers: {
        'mqtt.topic': 'device/sensor-001/telemetry',
        'mqtt.qos': '1',
        'mqtt.received_at': '1700000000123',
        'mqtt.message_id': 'm-1',
        'mqtt.retain': 'false',
        'twinfold.payload_bytes': '10',
        'twinfold.dup': 'false',
      },
    });
    expect(r.bytes).toBeGreaterThan(0);
  });

  it.each([
    ['device/s-1/state', 'p.device.state'],
    ['device/s-1/status', 'p.device.status'],
    ['device/s-1/ack', 'p.device.acks'],
    ['device/s-1/error', 'p.device.errors'],
  ])('routes %s to %s', (topic, kafkaTopic) => {
    const payloads: Record<string, string> = {
      'p.device.state': '{"a":1}',
      'p.device.status': 'online',
      'p.device.acks': '{"command_id":"c","status":"success"}',
      'p.device.errors': '{"error_code":"E1","message":"m"}',
    };
    const r = convert(inbound(topic, payloads[kafkaTopic]!));
    expect(r.topic).toBe(kafkaTopic);
    expect(r.message.key).toBe('s-1');
  });

  it('forwards a plain-text status as it is: the processor reads it with the same decoder', () => {
    expect(convert(inbound('device/s-1/status', 'offline', { retain: true })).message).toMatchObject({
      value: Buffer.from('offline'),
      headers: { 'mqtt.retain': 'true' },
    });
  });

  it('dead-letters an invalid id with the raw id as key and the original bytes', () => {
    const r = convert(inbound('device/dévice/telemetry', '{"t":1}'));
    expect(r.topic).toBe('p.device.dlq');
    expect(r.errorCode).toBe('INVALID_ID');
    expect(r.kind).toBe('telemetry');
    expect(r.message.key).toBe('dévice');
    expect(Buffer.from(r.message.value as Buffer).toString()).toBe('{"t":1}');
    expect(r.message.headers).toMatchObject({
      'twinfold.source.topic': 'device/dévice/telemetry',
      'twinfold.error.code': 'INVALID_ID',
      'twinfold.component': 'bridge',
      'mqtt.message_id': 'm-1',
    });
  });

  it('dead-letters with a null key when the topic has no id', () => {
    const empty = convert(inbound('device//telemetry', '{"t":1}'));
    expect(empty.message.key).toBeNull();
    expect(empty.errorCode).toBe('INVALID_ID');
    const unknown = convert(inbound('elsewhere/x', '{"t":1}'));
    expect(unknown).toMatchObject({ topic: 'p.device.dlq', kind: undefined, errorCode: 'INVALID_ID' });
    expect(unknown.message.key).toBeNull();
  });

  it('dead-letters bad payloads with their error code', () => {
    expect(convert(inbound('device/s-1/telemetry', 'nope')).errorCode).toBe('MALFORMED_JSON');
    expect(convert(inbound('device/s-1/telemetry', Buffer.from([0xc3, 0x28]))).errorCode).toBe(
      'MALFORMED_JSON',
    );
    expect(convert(inbound('device/s-1/ack', '{}')).errorCode).toBe('VALIDATION_ERROR');
  });

  it('keeps only the first maxBytes of an oversized payload, and says so', () => {
    const r = convert(inbound('device/s-1/telemetry', Buffer.alloc(10_000, 0x41)));
    expect(r.errorCode).toBe('PAYLOAD_TOO_LARGE');
    expect((r.message.value as Buffer).length).toBe(100);
    expect(r.message.headers).toMatchObject({
      'twinfold.value.truncated': 'true',
      'twinfold.value.original_bytes': '10000',
    });
    expect(r.bytes).toBeLessThan(1000);
  });
});
