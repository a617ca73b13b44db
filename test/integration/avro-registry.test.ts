import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { consumeUntil, produce, type ConsumedRecord } from '../support/kafka';
import { SseClient } from '../support/sse-client';
import { registryUrl, startRegistry, type TestRegistry } from '../support/registry';
import { deployment, getJson, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitUntilConsumed } from '../support/workload';

/** A device's own Avro telemetry schema, as a producer outside twinfold would register it. */
const READING = {
  type: 'record',
  name: 'Reading',
  namespace: 'com.example',
  fields: [
    { name: 'temperature', type: 'double' },
    { name: 'unit', type: { type: 'enum', name: 'Unit', symbols: ['C', 'F'] } },
    { name: 'ok', type: 'boolean' },
  ],
};

describe('Avro and a schema registry', () => {
  let registry: TestRegistry;
  let d: Deployment;
  let service: ServiceInstance;
  let client: SchemaRegistry;

  beforeAll(async () => {
    d = deployment('avro', { PARTITIONS: '2', TRAITS: 'off', HISTORY: 'off' });
    // The service retries the registration until the registry answers: start both at once.
    const at = await registryUrl();
    const started = await Promise.allSettled([
      startRegistry(at),
      startService(d, 'a', { TWINS_FORMAT: 'avro', SCHEMA_REGISTRY_URL: at.url }),
    ]);
    if (started[0].status === 'fulfilled') registry = started[0].value;
    if (started[1].status === 'fulfilled') service = started[1].value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    client = new SchemaRegistry({ host: at.url });
  }, 180000);
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
  });

  it('folds Avro and JSON input, writes device.twins as Avro a Confluent consumer decodes, dead-letters bad Avro', async () => {
    const telemetry = `${d.prefix}device.telemetry`;
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(READING) },
      { subject: `${telemetry}-value` },
    );
    const good = await client.encode(id, { temperature: 21.5, unit: 'C', ok: true });
    const unknownId = Buffer.concat([Buffer.from([0, 0x7f, 0, 0, 1]), good.subarray(5)]);
    const truncated = good.subarray(0, good.length - 3);
    // twinfold's own reader of device.twins (the live event stream) reads the Avro twins too.
    const live = await SseClient.connect(`${service.url}/api/v1/twins/avro-1/events`);
    await produce(telemetry, [
      { key: 'avro-1', value: good },
      { key: 'json-1', value: JSON.stringify({ temperature: 19, label: 'x', pos: { x: 1 } }) },
      { key: 'avro-1', value: unknownId },
      { key: 'avro-1', value: truncated },
    ]);
    await waitUntilConsumed(`${d.prefix}app`, telemetry);

    // The twin folded from Avro, over REST (JSON as ever).
    const twin = await getJson(`${service.url}/api/v1/twins/avro-1`);
    expect((twin.body as { data: { reported: unknown } }).data.reported).toEqual({
      temperature: 21.5,
      unit: 'C',
      ok: true,
    });

    await live
      .waitFor('the Avro twin as a live event', (es) =>
        es.some((e) => e.data !== undefined && /"temperature":21.5/.test(e.data)),
      )
      .finally(() => live.close());

    // device.twins, read by a plain Confluent-style consumer: the registry client and avsc only.
    const twins = await consumeUntil([`${d.prefix}device.twins`], (rs) => rs.length >= 2);
    const decoded = new Map<string, Record<string, unknown>>();
    for (const r of twins) {
      expect(r.value![0]).toBe(0);
      decoded.set(r.key!, (await client.decode(r.value!)) as Record<string, unknown>);
    }
    expect(decoded.get('avro-1')).toMatchObject({
      id: 'avro-1',
      reported: { temperature: { double: 21.5 }, unit: { string: 'C' }, ok: { boolean: true } },
      version: 1,
    });
    expect(decoded.get('json-1')?.reported).toEqual({
      temperature: { long: 19 },
      label: { string: 'x' },
      pos: { 'io.twinfold.twin.Json': { json: '{"x":1}' } },
    });
    const subject = `${d.prefix}device.twins-value`;
    expect(twins[0]!.value!.readUInt32BE(1)).toBe(await client.getLatestSchemaId(subject));
    const config = await fetch(`${registry.url}/config/${subject}`).then((r) => r.json());
    expect(config).toEqual({ compatibilityLevel: 'BACKWARD' });

    // Bad Avro: dead-lettered with the original bytes and the reason.
    const dlq = await consumeUntil([`${d.prefix}device.dlq`], (rs) => rs.length >= 2);
    const codeOf = (bytes: Buffer): string | undefined =>
      dlq.find((r: ConsumedRecord) => r.value!.equals(bytes))?.headers['twinfold.error.code'];
    expect(codeOf(unknownId)).toBe('UNKNOWN_SCHEMA');
    expect(codeOf(truncated)).toBe('MALFORMED_AVRO');
    expect(dlq).toHaveLength(2);
  });
});
