import mqtt from 'mqtt';
import { bridgeTestSetup } from '../support/bridge-env';
import { testEnv } from '../support/env';
import { consumeUntil, produce, type ConsumedRecord } from '../support/kafka';
import { SEED_ACK, SEED_COMMAND, SEED_ERROR, SEED_TELEMETRY } from '../support/seed-messages';
import { deployment, getJson, startService, type Deployment } from '../support/stack';
import { waitFor } from '../support/wait';

jest.setTimeout(180_000);

type Json = Record<string, unknown>;

/**
 * Seed 001's device messages exactly as its "Message Formats" section prints them, through every
 * real hop: Mosquitto, the bridge process, Kafka, the service process, REST. The command message
 * is what an application writes to device.commands; the device, once it said `online`, receives it
 * over MQTT and answers with the seed's acknowledgment. A payload naming another device, and one made only of
 * `__proto__`, reach device.dlq from the bridge as the bytes the device sent.
 */
describe("seed 001's messages as printed, end to end", () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('folds telemetry, error, command and acknowledgment into the expected twins', async () => {
    d = deployment('seed001');
    const service = await startService(d);
    const { root, env } = bridgeTestSetup(d.prefix);
    const bridge = d.processes.spawn(
      'bridge/main.js',
      { ...d.env, ...env, LOG_LEVEL: 'info', BRIDGE_HTTP_PORT: '0' },
      'bridge',
    );
    await bridge.waitForLine(/"bridge running"/);
    const twin = async (id: string, ready: (t: Json) => boolean): Promise<Json> =>
      waitFor(`twin ${id} over REST`, async () => {
        const res = await getJson(`${service.url}/api/v1/twins/${id}`);
        const data = (res.body as { data?: Json } | undefined)?.data;
        return res.status === 200 && data !== undefined && ready(data) ? data : undefined;
      });

    const device = await mqtt.connectAsync(testEnv().mqttUrl, { clientId: `${d.prefix}device` });
    try {
      const commands: Json[] = [];
      device.on('message', (_topic, payload) => commands.push(JSON.parse(payload.toString()) as Json));
      await device.subscribeAsync(`${root}/light-001/command`, { qos: 1 });

      // Telemetry and errors travel on different topics, folded in no fixed order between them:
      // the error follows once the reading is in, so the versions below are the seed's order.
      await device.publishAsync(`${root}/sensor-001/telemetry`, SEED_TELEMETRY, { qos: 1 });
      await twin('sensor-001', (t) => t.version === 1);
      await device.publishAsync(`${root}/sensor-001/error`, SEED_ERROR, { qos: 1 });
      // The light announces itself as seed 001's retained-status example does, then gets the command.
      await device.publishAsync(`${root}/light-001/status`, 'online', { qos: 1 });
      await twin('light-001', (t) => (t.connection as Json).status === 'online');
      await produce(`${d.prefix}device.commands`, [{ key: 'light-001', value: SEED_COMMAND }]);
      const command = await waitFor('the command on MQTT', () => commands[0]);
      expect(command).toMatchObject({
        command_id: 'cmd-12345',
        action: 'set_brightness',
        parameters: { brightness: 75, duration: 2 },
      });
      await device.publishAsync(`${root}/light-001/ack`, SEED_ACK, { qos: 1 });

      // Spoofing and a prototype-only payload: refused by the bridge, dead-lettered as sent.
      await device.publishAsync(`${root}/light-001/telemetry`, SEED_TELEMETRY, { qos: 1 });
      await device.publishAsync(`${root}/light-001/telemetry`, '{"__proto__":{"polluted":1}}', { qos: 1 });

      // Telemetry (version 1), then the error (version 2): the seed's time, its unit on every field.
      const sensor = await twin('sensor-001', (t) => t.version === 2);
      const at = { timestamp: '2024-02-05T12:00:00.000Z', version: 1, unit: 'celsius' };
      expect(sensor).toMatchObject({
        id: 'sensor-001',
        lifecycle: 'active',
        connection: { status: 'online' },
        reported: { temperature: 23.5, humidity: 65.2, pressure: 1013.25 },
        metadata: { reported: { temperature: at, humidity: at, pressure: at } },
      });
      expect(Object.keys(sensor.reported as Json).sort()).toEqual(['humidity', 'pressure', 'temperature']);

      const light = await twin('light-001', (t) => (t.commands as { pending: number }).pending === 0);
      expect(light).toMatchObject({ lifecycle: 'active', reported: {} });
      const ack = await getJson(`${service.url}/api/v1/twins/light-001/commands/cmd-12345`);
      expect(ack.status).toBe(200);
      const view = (ack.body as { data: Json }).data;
      expect(view).toMatchObject({
        action: 'set_brightness',
        result: { brightness: 75, execution_time: 0.5 },
      });
      expect(view.status).toBe('acknowledged');

      const alerts = await consumeUntil([`${d.prefix}device.events`], (rs) => rs.some(isSeedAlert));
      expect(JSON.parse(alerts.find(isSeedAlert)!.value!.toString())).toMatchObject({
        data: { source: 'device', code: 'E001', message: 'Sensor reading failed' },
      });

      const dlq = await consumeUntil([`${d.prefix}device.dlq`], (rs) => rs.length >= 2);
      expect(
        dlq.map((r) => [r.key, r.headers['twinfold.error.code'], r.headers['twinfold.component']]),
      ).toEqual([
        ['light-001', 'DEVICE_ID_MISMATCH', 'bridge'],
        ['light-001', 'VALIDATION_ERROR', 'bridge'],
      ]);
      expect(dlq.map((r) => r.value!.toString())).toEqual([SEED_TELEMETRY, '{"__proto__":{"polluted":1}}']);
    } finally {
      await device.endAsync();
    }
  });
});

function isSeedAlert(r: ConsumedRecord): boolean {
  return r.key === 'sensor-001' && r.value !== null && r.value.toString().includes('"alert"');
}
