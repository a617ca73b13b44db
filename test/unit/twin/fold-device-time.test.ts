import {
  decodeInput,
  toTwinDocument,
  type DeviceKind,
  type TwinInput,
  type TwinState,
} from '../../../topology/twin';
import { SEED_ERROR, SEED_TELEMETRY } from '../../support/seed-messages';
import { MIN, next, SEC, T0 } from './helpers';

/** Decodes a device payload as the processor does: keyed `id`, received by the broker at `recordMs`. */
function input(kind: DeviceKind, payload: string, recordMs: number, id = 's1'): TwinInput {
  return decodeInput(kind, id, Buffer.from(payload), recordMs);
}

/** Folds each payload at its record time, as the partition task does (nowMs = record timestamp). */
function foldPayloads(
  records: [kind: DeviceKind, payload: string, recordMs: number][],
  id = 's1',
): TwinState {
  let state: TwinState | undefined;
  for (const [kind, payload, recordMs] of records)
    state = next(state, input(kind, payload, recordMs, id), recordMs);
  if (state === undefined) throw new Error('no twin');
  return state;
}

const secondsOf = (ms: number): number => ms / 1000;

describe('seed 001 messages fold as the seed means them', () => {
  it('folds the envelope data, not the envelope, with the unit in the field metadata', () => {
    const twin = foldPayloads([
      [
        'telemetry',
        '{"device_id":"s1","timestamp":1707134400,"type":"telemetry","data":{"pressure":1013.25},"metadata":{"unit":"hPa"}}',
        T0,
      ],
    ]);
    expect(twin.reported).toEqual({ pressure: 1013.25 });
    const doc = toTwinDocument(twin);
    expect(doc.metadata.reported).toEqual({
      pressure: { timestamp: '2024-02-05T12:00:00.000Z', version: 1, unit: 'hPa' },
    });
  });

  it('folds the telemetry and error messages exactly as printed', () => {
    const twin = foldPayloads(
      [
        ['telemetry', SEED_TELEMETRY, T0],
        ['error', SEED_ERROR, T0 + SEC],
      ],
      'sensor-001',
    );
    expect(twin.reported).toEqual({ temperature: 23.5, humidity: 65.2, pressure: 1013.25 });
    expect(twin.metadata.reported.humidity).toEqual({
      timestamp: 1707134400_000,
      version: 1,
      unit: 'celsius',
    });
    expect(twin.lastError).toEqual({
      code: 'E001',
      message: 'Sensor reading failed',
      details: { sensor: 'temperature', reason: 'timeout' },
      timestamp: T0 + SEC,
    });
  });

  it('takes per-field units over the message unit, and keeps a unit until another is named', () => {
    const twin = foldPayloads([
      ['telemetry', '{"data":{"t":20,"p":1000},"metadata":{"unit":"celsius","units":{"p":"hPa"}}}', T0],
      ['telemetry', '{"t":21,"p":1001}', T0 + SEC],
    ]);
    expect(twin.metadata.reported.t).toMatchObject({ timestamp: T0 + SEC, unit: 'celsius' });
    expect(twin.metadata.reported.p).toMatchObject({ timestamp: T0 + SEC, unit: 'hPa' });
  });
});

describe('device clocks that cannot be trusted', () => {
  it('does not let a far-future reading freeze a field: current readings win', () => {
    const future = 4102444800; // 2100-01-01, seconds
    const twin = foldPayloads([
      ['telemetry', `{"timestamp":${future},"data":{"temperature":999}}`, T0],
      ['telemetry', `{"timestamp":${secondsOf(T0 + MIN)},"data":{"temperature":21.5}}`, T0 + MIN],
      ['telemetry', `{"timestamp":${secondsOf(T0 + 2 * MIN)},"data":{"temperature":21.7}}`, T0 + 2 * MIN],
    ]);
    expect(twin.reported.temperature).toBe(21.7);
    expect(twin.metadata.reported.temperature).toEqual({ timestamp: T0 + 2 * MIN, version: 3 });
  });

  it('folds the untrusted reading at the receive time and says so in the field metadata', () => {
    const twin = foldPayloads([['telemetry', '{"timestamp":4102444800,"data":{"temperature":999}}', T0]]);
    expect(twin.reported.temperature).toBe(999);
    expect(toTwinDocument(twin).metadata.reported.temperature).toEqual({
      timestamp: new Date(T0).toISOString(),
      version: 1,
      clock: 'receive',
      deviceTimestamp: '2100-01-01T00:00:00.000Z',
    });
  });

  it('trusts a clock up to MAX_CLOCK_SKEW_MS ahead and distrusts one beyond', () => {
    const ahead = (ms: number): TwinInput =>
      decodeInput('telemetry', 's1', Buffer.from(`{"timestamp":${T0 + ms},"t":1}`), T0, {
        maxBytes: 1024,
        maxDepth: 8,
        maxKeys: 16,
        maxClockSkewMs: MIN,
      });
    expect(ahead(MIN)).toMatchObject({ timestampMs: T0 + MIN });
    expect(ahead(MIN).deviceTimestampMs).toBeUndefined();
    expect(ahead(MIN + 1)).toMatchObject({ timestampMs: T0, deviceTimestampMs: T0 + MIN + 1 });
  });

  it('treats a time before 2000 (an unset clock) alike', () => {
    const twin = foldPayloads([['state', '{"timestamp":"1970-01-01T00:00:42Z","power":"on"}', T0]]);
    expect(twin.metadata.reported.power).toEqual({
      timestamp: T0,
      version: 1,
      clock: 'receive',
      deviceTimestamp: 42_000,
    });
  });

  it('drops the marker once a trusted reading replaces the value', () => {
    const twin = foldPayloads([
      ['telemetry', '{"timestamp":0,"t":1}', T0],
      ['telemetry', `{"timestamp":${T0 + SEC},"t":2}`, T0 + SEC],
    ]);
    expect(twin.metadata.reported.t).toEqual({ timestamp: T0 + SEC, version: 2 });
  });

  it('orders an untrusted status by its receive time', () => {
    const twin = foldPayloads([
      ['status', '{"status":"online","timestamp":4102444800}', T0],
      ['status', `{"status":"offline","timestamp":${T0 + SEC}}`, T0 + SEC],
    ]);
    expect(twin.connection).toMatchObject({ status: 'offline', since: T0 + SEC });
  });
});
