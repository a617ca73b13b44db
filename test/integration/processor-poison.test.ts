import { decodeInput } from '../../topology/twin';
import { DEFAULT_JSON_LIMITS } from '../../shared/safe-json';
import { consumeUntil, produce } from '../support/kafka';
import { deployment, getJson, startService, type Deployment } from '../support/stack';
import { waitUntilConsumed } from '../support/workload';

const deep = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

describe('processor: poison input', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('dead-letters hostile records with their reason and keeps folding the rest', async () => {
    d = deployment('poison', { PARTITIONS: '2' });
    const service = await startService(d);
    const telemetry = `${d.prefix}device.telemetry`;
    const hostile = [
      { key: 'p-1', value: '{"temperature": 2', code: 'MALFORMED_JSON' },
      {
        key: 'p-1',
        value: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
        code: 'MALFORMED_JSON',
      },
      { key: 'p-1', value: JSON.stringify({ blob: 'x'.repeat(300 * 1024) }), code: 'PAYLOAD_TOO_LARGE' },
      { key: 'p-1', value: '['.repeat(10000) + ']'.repeat(10000), code: 'LIMIT_EXCEEDED' },
      { key: 'p-1', value: deep(10000), code: 'LIMIT_EXCEEDED' },
      { key: 'dev/../x', value: '{"t": 1}', code: 'INVALID_ID' },
      { key: '+', value: '{"t": 1}', code: 'INVALID_ID' },
      { key: null, value: '{"t": 1}', code: 'INVALID_ID' },
      // Written to Kafka without the bridge, a spoofed or reading-less payload is refused all the same.
      { key: 'p-1', value: '{"device_id": "p-2", "t": 1}', code: 'DEVICE_ID_MISMATCH' },
      { key: 'p-1', value: '{"__proto__": {"polluted": "yes"}}', code: 'VALIDATION_ERROR' },
    ];
    const pollution = [
      '{"__proto__": {"polluted": "yes"}, "temperature": 1}',
      '{"constructor": {"prototype": {"polluted": "yes"}}, "humidity": 2}',
      '{"data": {"__proto__": {"polluted": "yes"}, "pressure": 3}}',
    ];
    // Each message is within the limits; together they would grow one twin past its size limit.
    const growth = Array.from({ length: 8 }, (_, i) => ({
      key: 'p-big',
      value: JSON.stringify(
        Object.fromEntries(Array.from({ length: 900 }, (_, k) => [`f${i}_${k}`, 'v'.repeat(60)])),
      ),
    }));
    await produce(telemetry, [
      ...hostile.map((h) => ({ key: h.key, value: h.value })),
      ...pollution.map((value) => ({ key: 'p-1', value })),
      ...growth,
      { key: 'p-2', value: '{"temperature": 20}' },
    ]);
    await waitUntilConsumed(`${d.prefix}app`, telemetry);

    const all = await consumeUntil(
      [`${d.prefix}device.dlq`],
      (rs) => rs.filter((r) => r.key !== 'p-big').length >= hostile.length,
    );
    const dlq = all.filter((r) => r.key !== 'p-big');
    expect(dlq).toHaveLength(hostile.length);
    // Dead letters are keyed like their input, so they spread over partitions: match them by their bytes.
    for (const h of hostile) {
      const letter = dlq.find((r) => r.key === h.key && r.value!.equals(Buffer.from(h.value)));
      expect(letter?.headers['twinfold.error.code']).toBe(h.code);
    }

    const tooBig = all.filter((r) => r.key === 'p-big');
    expect(tooBig.length).toBeGreaterThan(0);
    expect(tooBig.every((r) => r.headers['twinfold.error.code'] === 'LIMIT_EXCEEDED')).toBe(true);
    const big = await getJson(`${service.url}/api/v1/twins/p-big`);
    const fields = Object.keys((big.body as { data: { reported: object } }).data.reported).length;
    expect(fields).toBe((growth.length - tooBig.length) * 900);
    for (const r of dlq) {
      expect(r.headers['twinfold.source.topic']).toBe(telemetry);
      expect(r.headers['twinfold.component']).toBe('processor');
      expect(r.headers['twinfold.source.offset']).toMatch(/^\d+$/);
      expect(r.headers['twinfold.error.message']!.length).toBeGreaterThan(0);
    }

    const p1 = await getJson(`${service.url}/api/v1/twins/p-1`);
    expect(p1.status).toBe(200);
    expect((p1.body as { data: { reported: unknown } }).data.reported).toEqual({
      temperature: 1,
      humidity: 2,
      pressure: 3,
    });
    const p2 = await getJson(`${service.url}/api/v1/twins/p-2`);
    expect((p2.body as { data: { reported: unknown } }).data.reported).toEqual({ temperature: 20 });

    for (const value of pollution)
      decodeInput('telemetry', 'p-1', Buffer.from(value), Date.now(), DEFAULT_JSON_LIMITS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});
