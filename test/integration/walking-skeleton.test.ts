import mqtt from 'mqtt';
import { testEnv } from '../support/env';
import { consumeUntil } from '../support/kafka';
import { deployment, getJson, startService, type Deployment } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * Every hop real: an MQTT client publishes telemetry -> Mosquitto -> the bridge process ->
 * device.telemetry -> the service process folds it into its LevelDB store -> GET /twins/{id},
 * and device.twins carries the docs/contract.md twin document to a real Kafka consumer.
 */
describe('walking skeleton: MQTT -> Kafka -> LevelDB -> HTTP', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('serves a device reading over REST and publishes the twin to device.twins', async () => {
    d = deployment('skeleton');
    const service = await startService(d);
    const bridge = d.processes.spawn('bridge/main.js', { ...d.env, BRIDGE_HTTP_PORT: '0' }, 'bridge');
    await bridge.waitForLine(/"bridge running"/);

    const deviceId = `${d.prefix.replace(/[^A-Za-z0-9]/g, '')}-sensor-001`;
    const client = await mqtt.connectAsync(testEnv().mqttUrl, { clientId: `${deviceId}-client` });
    try {
      const timestamp = '2026-11-24T10:31:02.120Z';
      const publishedAt = Date.now();
      await client.publishAsync(
        `device/${deviceId}/telemetry`,
        JSON.stringify({ timestamp, data: { temperature: 23.5, humidity: 65 } }),
        { qos: 1 },
      );

      const twin = await waitFor('the twin over REST', async () => {
        const res = await getJson(`${service.url}/api/v1/twins/${deviceId}`);
        return res.status === 200
          ? (res.body as { status: string; data: Record<string, unknown> })
          : undefined;
      });
      expect(twin.status).toBe('success');
      // lastSeen is when the platform heard the device (the bridge's receive time); the reading keeps its own time.
      const lastSeen = Date.parse((twin.data.connection as { lastSeen: string }).lastSeen);
      expect(lastSeen).toBeGreaterThanOrEqual(publishedAt);
      expect(lastSeen).toBeLessThanOrEqual(Date.now());
      expect(twin.data).toMatchObject({
        id: deviceId,
        lifecycle: 'active',
        reported: { temperature: 23.5, humidity: 65 },
        desired: {},
        delta: {},
        version: 1,
        connection: { status: 'online' },
        metadata: { reported: { temperature: { timestamp } } },
      });

      const records = await consumeUntil([`${d.prefix}device.twins`], (rs) =>
        rs.some((r) => r.key === deviceId),
      );
      const published = records.filter((r) => r.key === deviceId);
      expect(published).toHaveLength(1);
      const doc = JSON.parse(published[0]!.value!.toString('utf8')) as Record<string, unknown>;
      expect(doc).toEqual(twin.data);
      expect(Object.keys(doc)).toEqual([
        'id',
        'type',
        'lifecycle',
        'connection',
        'reported',
        'desired',
        'delta',
        'metadata',
        'attributes',
        'version',
        'commands',
        'createdAt',
        'updatedAt',
        'traits',
      ]);

      const telemetry = await consumeUntil([`${d.prefix}device.telemetry`], (rs) =>
        rs.some((r) => r.key === deviceId),
      );
      expect(telemetry[0]!.headers['mqtt.topic']).toBe(`device/${deviceId}/telemetry`);
    } finally {
      await client.endAsync();
    }
  });
});
