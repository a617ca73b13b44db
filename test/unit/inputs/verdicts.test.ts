import { toUplinkRecord, type InboundMessage } from '../../../bridge/uplink-record';
import { toTwinfoldError, type ErrorCode } from '../../../shared/errors';
import { decodeInput, type DeviceKind } from '../../../shared/inputs';
import { topicNames } from '../../../shared/topics';
import { SEED_ACK, SEED_ERROR, SEED_TELEMETRY } from '../../support/seed-messages';
import { defaultUplinkRoutes } from '../../support/uplink-routes';

/**
 * One corpus of device payloads, good and hostile, each with the verdict twinfold gives it. The
 * bridge's verdict (the record it writes for the MQTT message) and the processor's (decodeInput on
 * the record as it arrives from Kafka) must both be that verdict, and a refused payload must reach
 * the dead-letter topic as the device's original bytes.
 */
const names = topicNames({ topicPrefix: '' });
const routes = defaultUplinkRoutes(names);
const limits = { maxBytes: 2048, maxDepth: 8, maxKeys: 64 };
const RECEIVED = Date.UTC(2026, 10, 24, 10, 0, 0);

type Verdict = 'accept' | ErrorCode;
interface Entry {
  what: string;
  kind: DeviceKind;
  /** The id level of the MQTT topic (and so the Kafka key). */
  id: string;
  payload: string | Buffer;
  verdict: Verdict;
}

const entry = (
  what: string,
  kind: DeviceKind,
  payload: string | Buffer,
  verdict: Verdict,
  id = 's1',
): Entry => ({
  what,
  kind,
  id,
  payload,
  verdict,
});

const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const CORPUS: Entry[] = [
  // Seed 001's messages exactly as printed, on their own device's topics.
  entry('seed 001 telemetry', 'telemetry', SEED_TELEMETRY, 'accept', 'sensor-001'),
  entry('seed 001 acknowledgment', 'ack', SEED_ACK, 'accept', 'light-001'),
  entry('seed 001 error', 'error', SEED_ERROR, 'accept', 'sensor-001'),
  entry(
    'seed 001 envelope with a unit',
    'telemetry',
    '{"device_id":"s1","timestamp":1707134400,"type":"telemetry","data":{"pressure":1013.25},"metadata":{"unit":"hPa"}}',
    'accept',
  ),
  entry(
    "seed 001's simulated device: flat readings with device_id and a fractional timestamp",
    'telemetry',
    '{"device_id":"s1","timestamp":1707134400.25,"temperature":21.5,"status":"active"}',
    'accept',
  ),
  // Spoofing: a payload naming another device than its topic.
  entry(
    'seed telemetry on another device topic',
    'telemetry',
    SEED_TELEMETRY,
    'DEVICE_ID_MISMATCH',
    'light-001',
  ),
  entry('seed ack on another device topic', 'ack', SEED_ACK, 'DEVICE_ID_MISMATCH', 'sensor-001'),
  entry(
    'status naming another device',
    'status',
    '{"status":"offline","device_id":"s2"}',
    'DEVICE_ID_MISMATCH',
  ),
  entry('flat state naming another device', 'state', '{"device_id":"s2","power":"on"}', 'DEVICE_ID_MISMATCH'),
  entry('a non-string device_id', 'telemetry', '{"device_id":7,"t":1}', 'VALIDATION_ERROR'),
  entry('an envelope of another type', 'telemetry', '{"type":"error","data":{"t":1}}', 'VALIDATION_ERROR'),
  entry(
    'a unit that is not a string',
    'telemetry',
    '{"data":{"t":1},"metadata":{"unit":5}}',
    'VALIDATION_ERROR',
  ),
  // Plain good payloads.
  entry('flat telemetry', 'telemetry', '{ "temperature" : 23.5,\n "humidity": 65 }', 'accept'),
  entry(
    'wrapped telemetry with an ISO time',
    'telemetry',
    '{"timestamp":"2026-11-24T09:59:00Z","data":{"t":1}}',
    'accept',
  ),
  entry(
    'a far-future timestamp (folded at the receive time)',
    'telemetry',
    '{"timestamp":4102444800,"data":{"temperature":999}}',
    'accept',
  ),
  entry('a 1970 timestamp (folded at the receive time)', 'telemetry', '{"timestamp":0,"t":1}', 'accept'),
  entry('unicode keys and values', 'telemetry', '{"température":"23,5 °C","名前":"センサー"}', 'accept'),
  entry('state, flat', 'state', '{"version":3,"power":"on"}', 'accept'),
  entry('state, wrapped', 'state', '{"version":3,"state":{"power":"on"},"device_id":"s1"}', 'accept'),
  entry('state, empty (everything removed)', 'state', '{}', 'accept'),
  entry('status online', 'status', 'online', 'accept'),
  entry('status ONLINE (case does not matter)', 'status', 'ONLINE', 'accept'),
  entry('status " offline\\n"', 'status', ' offline\n', 'accept'),
  entry('status as a JSON string', 'status', '"online"', 'accept'),
  entry(
    'status object ONLINE',
    'status',
    '{"status":"ONLINE","timestamp":1707134400,"device_id":"s1"}',
    'accept',
  ),
  entry('status with extra fields', 'status', '{"status":"online","since":5}', 'accept'),
  entry('ack without result', 'ack', '{"command_id":"c1","status":"failed"}', 'accept'),
  entry('a numeric error_code (kept as its text)', 'error', '{"error_code":7,"message":"boom"}', 'accept'),
  entry('prototype keys next to a reading', 'telemetry', '{"__proto__":{"polluted":1},"t":1}', 'accept'),
  // Hostile and broken payloads.
  entry('only __proto__', 'telemetry', '{"__proto__":{"polluted":1}}', 'VALIDATION_ERROR'),
  entry(
    'only constructor.prototype',
    'telemetry',
    '{"constructor":{"prototype":{"polluted":1}}}',
    'VALIDATION_ERROR',
  ),
  entry('__proto__ as the state', 'state', '{"state":{"__proto__":{"polluted":1}},"version":1}', 'accept'),
  entry('empty telemetry', 'telemetry', '{}', 'VALIDATION_ERROR'),
  entry('empty data', 'telemetry', '{"data":{}}', 'VALIDATION_ERROR'),
  entry('only a timestamp', 'telemetry', '{"timestamp":1707134400}', 'VALIDATION_ERROR'),
  entry('deep nesting', 'telemetry', nested(9), 'LIMIT_EXCEEDED'),
  entry('very deep nesting', 'state', '['.repeat(100_000), 'PAYLOAD_TOO_LARGE'),
  entry('deep nesting within the byte limit', 'state', '['.repeat(2000), 'LIMIT_EXCEEDED'),
  entry(
    'too many keys',
    'telemetry',
    JSON.stringify(Object.fromEntries([...Array(65).keys()].map((i) => [`k${i}`, i]))),
    'LIMIT_EXCEEDED',
  ),
  entry('huge', 'telemetry', `{"x":"${'a'.repeat(5000)}"}`, 'PAYLOAD_TOO_LARGE'),
  entry('huge status', 'status', 'o'.repeat(3000), 'PAYLOAD_TOO_LARGE'),
  entry('a number out of range', 'telemetry', '{"t":1e400}', 'LIMIT_EXCEEDED'),
  entry(
    'invalid UTF-8',
    'telemetry',
    Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
    'MALFORMED_JSON',
  ),
  entry('invalid UTF-8 status', 'status', Buffer.from([0xff, 0xfe]), 'MALFORMED_JSON'),
  entry('not JSON', 'telemetry', 'hello', 'MALFORMED_JSON'),
  entry('empty payload', 'telemetry', '', 'MALFORMED_JSON'),
  entry('truncated JSON', 'error', '{"error_code":"E1",', 'MALFORMED_JSON'),
  entry('an array', 'telemetry', '[1,2]', 'VALIDATION_ERROR'),
  entry('null', 'state', 'null', 'VALIDATION_ERROR'),
  entry('a bad timestamp', 'telemetry', '{"t":1,"timestamp":"soon"}', 'VALIDATION_ERROR'),
  entry('an object timestamp', 'status', '{"status":"online","timestamp":{"x":1}}', 'VALIDATION_ERROR'),
  entry(
    'a bad ack timestamp',
    'ack',
    '{"command_id":"c1","status":"success","timestamp":-5}',
    'VALIDATION_ERROR',
  ),
  entry('state version "3"', 'state', '{"version":"3"}', 'VALIDATION_ERROR'),
  entry('status maybe', 'status', 'maybe', 'MALFORMED_JSON'),
  entry('status sleeping', 'status', '{"status":"sleeping"}', 'VALIDATION_ERROR'),
  entry('ack without command_id', 'ack', '{"status":"success"}', 'VALIDATION_ERROR'),
  entry('error without message', 'error', '{"error_code":"E1"}', 'VALIDATION_ERROR'),
  entry('a fractional error_code', 'error', '{"error_code":1.5,"message":"m"}', 'VALIDATION_ERROR'),
  entry('a boolean error_code', 'error', '{"error_code":true,"message":"m"}', 'VALIDATION_ERROR'),
  entry('a unicode device id', 'telemetry', '{"t":1}', 'INVALID_ID', 'dévice'),
  entry('a CJK device id', 'telemetry', '{"t":1}', 'INVALID_ID', '传感器'),
  entry('an id starting with a dot', 'telemetry', '{"t":1}', 'INVALID_ID', '.hidden'),
];

function inbound(e: Entry): InboundMessage {
  return {
    topic: `device/${e.id}/${e.kind}`,
    payload: Buffer.isBuffer(e.payload) ? e.payload : Buffer.from(e.payload, 'utf8'),
    qos: 1,
    retain: false,
    receivedAt: RECEIVED,
    messageId: 'm-1',
  };
}

function processorVerdict(kind: DeviceKind, key: Buffer | string | null, value: Buffer): Verdict {
  try {
    decodeInput(kind, key, value, RECEIVED, limits);
    return 'accept';
  } catch (err) {
    return toTwinfoldError(err).code;
  }
}

afterAll(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('one verdict for every payload, at the bridge and in the processor', () => {
  it.each(CORPUS.map((e) => [e.what, e] as const))('%s', (_what, e) => {
    const msg = inbound(e);
    const record = toUplinkRecord(msg, routes, names.dlq, limits);
    const bridge: Verdict = record.topic === names.dlq ? (record.errorCode ?? 'INTERNAL') : 'accept';
    expect(bridge).toBe(e.verdict);

    if (bridge === 'accept') {
      // The processor reads the very record the bridge wrote: key, and the original bytes.
      expect(record.message.value).toEqual(msg.payload);
      expect(record.message.key).toBe(e.id);
      expect(processorVerdict(e.kind, Buffer.from(e.id), msg.payload)).toBe('accept');
    } else {
      // Had the same bytes reached Kafka some other way, the processor would refuse them alike.
      expect(processorVerdict(e.kind, Buffer.from(e.id), msg.payload)).toBe(e.verdict);
      const kept = Buffer.from(record.message.value as Buffer);
      const original =
        msg.payload.length > limits.maxBytes ? msg.payload.subarray(0, limits.maxBytes) : msg.payload;
      expect(kept.equals(original)).toBe(true);
      expect(record.message.headers?.['twinfold.error.code']).toBe(e.verdict);
    }
  });
});
