import { Type } from 'avsc';
import { AvroInputDecoder } from '../../../shared/avro/input-decoder';
import { frame, schemaIdOf } from '../../../shared/avro/wire';
import { isTwinfoldError } from '../../../shared/errors';
import type { TwinDocument } from '../../../topology/twin';
import { TWIN_TYPE } from '../../../shared/avro/twin-schema';
import { twinJsonOf } from '../../../shared/avro/twin-read';
import { avroTwinEncoder } from '../../../topology/twin-encoder';

const doc: TwinDocument = {
  id: 'sensor-001',
  type: 'temperature_sensor',
  lifecycle: 'active',
  connection: { status: 'online', since: '2026-11-24T10:30:00.000Z', lastSeen: null },
  reported: { temperature: 23.5, count: 7, label: 'A', on: true, gone: null, pos: { x: 1 }, list: [1, 2] },
  desired: { interval: 10 },
  delta: { interval: 10 },
  metadata: {
    reported: { temperature: { timestamp: '2026-11-24T10:31:02.120Z', version: 17, unit: 'celsius' } },
    desired: { interval: { timestamp: '2026-11-24T10:20:00.000Z', version: 12 } },
  },
  attributes: { location: 'Room A' },
  version: 17,
  commands: { pending: 1 },
  createdAt: '2026-11-24T09:00:00.000Z',
  updatedAt: '2026-11-24T10:31:02.120Z',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isTwinfoldError(err) ? err.code : 'not a TwinfoldError';
  }
  return undefined;
}

describe('device.twins as Avro', () => {
  it('frames the body with the magic byte and the schema id, and keeps every value typed', () => {
    const bytes = avroTwinEncoder(42).encode(doc);
    expect(bytes[0]).toBe(0);
    expect(schemaIdOf(bytes)).toBe(42);
    const decoded = TWIN_TYPE.fromBuffer(bytes.subarray(5)) as Record<string, unknown>;
    expect(decoded.reported).toEqual({
      temperature: { double: 23.5 },
      count: { long: 7 },
      label: { string: 'A' },
      on: { boolean: true },
      gone: null,
      pos: { 'io.twinfold.twin.Json': { json: '{"x":1}' } },
      list: { 'io.twinfold.twin.Json': { json: '[1,2]' } },
    });
    expect(decoded.metadata).toEqual({
      reported: {
        temperature: {
          timestamp: '2026-11-24T10:31:02.120Z',
          version: 17,
          unit: 'celsius',
          clock: null,
          deviceTimestamp: null,
        },
      },
      desired: {
        interval: {
          timestamp: '2026-11-24T10:20:00.000Z',
          version: 12,
          unit: null,
          clock: null,
          deviceTimestamp: null,
        },
      },
    });
    expect(decoded.traits).toBeNull();
    expect(decoded.connection).toEqual(doc.connection);
  });
});

describe('Avro inputs', () => {
  const schema = {
    type: 'record',
    name: 'Reading',
    fields: [
      { name: 'temperature', type: 'double' },
      { name: 'raw', type: 'bytes' },
    ],
  };
  const type = Type.forSchema(schema as Parameters<typeof Type.forSchema>[0]);
  const record = frame(7, type.toBuffer({ temperature: 21.5, raw: Buffer.from([1, 2]) }));
  const registry = {
    asked: [] as number[],
    async schemaById(id: number): Promise<string | undefined> {
      this.asked.push(id);
      return id === 7 ? JSON.stringify(schema) : undefined;
    },
  };

  it('decodes a prepared record to JSON text, and asks the registry once per id', async () => {
    const decoder = new AvroInputDecoder(registry);
    await decoder.prepare([record, record, Buffer.from('{"a":1}'), null]);
    await decoder.prepare([record]);
    expect(registry.asked).toEqual([7]);
    expect(JSON.parse(decoder.toJson(record)!.toString())).toEqual({ temperature: 21.5, raw: 'AQI=' });
    expect(decoder.toJson(Buffer.from('{"a":1}'))!.toString()).toBe('{"a":1}');
  });

  it('refuses an unknown id, a truncated body, trailing bytes and a cut header with typed codes', async () => {
    const decoder = new AvroInputDecoder(registry);
    const unknown = frame(8, Buffer.from([1]));
    await decoder.prepare([record, unknown]);
    expect(codeOf(() => decoder.toJson(unknown))).toBe('UNKNOWN_SCHEMA');
    expect(codeOf(() => decoder.toJson(record.subarray(0, record.length - 2)))).toBe('MALFORMED_AVRO');
    expect(codeOf(() => decoder.toJson(Buffer.concat([record, Buffer.from([9])])))).toBe('MALFORMED_AVRO');
    expect(codeOf(() => decoder.toJson(Buffer.from([0, 0, 0])))).toBe('MALFORMED_AVRO');
  });

  it('refuses a schema whose arrays hold items of no bytes: six bytes would decode to a billion nulls', async () => {
    const nulls = {
      type: 'record',
      name: 'R',
      fields: [{ name: 'a', type: { type: 'array', items: 'null' } }],
    };
    const decoder = new AvroInputDecoder({ schemaById: async () => JSON.stringify(nulls) });
    // Block count 1e9 (zig-zag varint), then the end of the array.
    const hostile = frame(5, Buffer.from([0x80, 0xa8, 0xd6, 0xb9, 0x07, 0x00]));
    await decoder.prepare([hostile]);
    expect(codeOf(() => decoder.toJson(hostile))).toBe('UNKNOWN_SCHEMA');
    expect(() => decoder.toJson(hostile)).toThrow(/items of no bytes/);
  });

  it('asks again about an unknown id after a while', async () => {
    let now = 1000;
    const asked: number[] = [];
    const decoder = new AvroInputDecoder(
      { schemaById: async (id) => (asked.push(id), undefined) },
      () => now,
    );
    const unknown = frame(9, Buffer.from([1]));
    await decoder.prepare([unknown]);
    await decoder.prepare([unknown]);
    now += 60000;
    await decoder.prepare([unknown]);
    expect(asked).toEqual([9, 9]);
  });
});

describe("twinfold's own readers of Avro twins", () => {
  it('get the JSON document back', () => {
    const traits = {
      evaluatedAt: '2026-11-24T10:31:02.120Z',
      health: { score: 100, status: 'HEALTHY' as const, issues: [] },
      fields: {},
      alerts: [],
    };
    const withTraits: TwinDocument = { ...doc, traits };
    expect(twinJsonOf(avroTwinEncoder(3).encode(doc))).toEqual(doc);
    expect(twinJsonOf(avroTwinEncoder(3).encode(withTraits))).toEqual(withTraits);
    expect(twinJsonOf(avroTwinEncoder(3).encode(doc).subarray(0, 40))).toBeUndefined();
  });
});
