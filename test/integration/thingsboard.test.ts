import { connectAsync, type MqttClient } from 'mqtt';
import { testEnv } from '../support/env';
import { freePort } from '../support/free-port';
import { httpRequest } from '../support/http-client';
import { consumeUntil, produce } from '../support/kafka';
import type { ServiceProcess } from '../support/processes';
import { deployment, getJson, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * The ThingsBoard adapter (dist/adapters/thingsboard/main.js) against real Kafka, the real service
 * and a real Mosquitto standing in for ThingsBoard's MQTT endpoint: this test's client plays
 * ThingsBoard, subscribed to the gateway topics, and checks the payloads exactly as ThingsBoard's
 * gateway API reference gives them (connect {"device","type"}, telemetry {"<device>":
 * [{"ts","values"}]}, attributes {"<device>": {...}}, RPC reply {"device","id","data"}); it sends a
 * shared-attribute update and an RPC as ThingsBoard does ({"device","data"}) and sees the desired
 * state and the command round trip.
 */
jest.setTimeout(120_000);

interface TbMessage {
  topic: string;
  payload: Record<string, unknown>;
}

const GATEWAY = [
  'v1/gateway/connect',
  'v1/gateway/disconnect',
  'v1/gateway/telemetry',
  'v1/gateway/attributes',
  'v1/gateway/rpc',
];

describe('ThingsBoard adapter over the MQTT gateway API', () => {
  let d: Deployment;
  let service: ServiceInstance;
  let adapter: ServiceProcess;
  let adapterUrl: string;
  let thingsboard: MqttClient;
  let id: string;
  const seen: TbMessage[] = [];
  const readingMs = Date.now() - 60_000; // a device time clearly not the receive time

  beforeAll(async () => {
    d = deployment('thingsboard');
    service = await startService(d);
    id = `${d.prefix.replace(/[^A-Za-z0-9]/g, '')}-meter-1`;
    thingsboard = await connectAsync(testEnv().mqttUrl, { clientId: `${id}-tb`, reconnectPeriod: 0 });
    thingsboard.on('message', (topic, payload) => {
      try {
        seen.push({ topic, payload: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
      } catch {
        // the refused payloads this test publishes itself
      }
    });
    await thingsboard.subscribeAsync(GATEWAY, { qos: 1 });
    const port = await freePort();
    adapterUrl = `http://127.0.0.1:${port}`;
    adapter = d.processes.spawn(
      'adapters/thingsboard/main.js',
      {
        ...d.env,
        TB_MQTT_URL: testEnv().mqttUrl,
        TB_GATEWAY_TOKEN: `${id}-gateway-token`,
        TB_CLIENT_ID: `${id}-gw`,
        TB_ATTRIBUTE_FIELDS: 'firmware',
        TB_HTTP_PORT: String(port),
      },
      'thingsboard',
    );
    await adapter.waitForLine(/"thingsboard adapter running"/);
  });

  afterAll(async () => {
    await thingsboard?.endAsync(true).catch(() => undefined);
    await d?.cleanup();
  });

  /** Messages ThingsBoard received on `topic` about this test's device (its own publications aside). */
  const about = (topic: string, device: (p: Record<string, unknown>) => boolean): TbMessage[] =>
    seen.filter((m) => m.topic === topic && device(m.payload));
  const named = (p: Record<string, unknown>): boolean => p.device === id && !Object.hasOwn(p, 'data');
  const keyed = (p: Record<string, unknown>): boolean => Object.hasOwn(p, id);

  const twin = async (): Promise<Record<string, unknown> | undefined> =>
    ((await getJson(`${service.url}/api/v1/twins/${id}`)).body as { data?: Record<string, unknown> }).data;

  it('mirrors a twin as gateway connect, telemetry with the reading times, and client attributes', async () => {
    await produce(`${d.prefix}device.telemetry`, [
      { key: id, value: JSON.stringify({ temperature: 21.5, humidity: 40, timestamp: readingMs }) },
    ]);
    await produce(`${d.prefix}device.state`, [{ key: id, value: JSON.stringify({ firmware: '1.2.3' }) }]);
    await produce(`${d.prefix}device.status`, [{ key: id, value: 'online' }]);

    const [connect] = await waitFor('v1/gateway/connect', () => {
      const found = about('v1/gateway/connect', (p) => p.device === id);
      return found.length > 0 && found;
    });
    expect(connect!.payload).toEqual({ device: id, type: 'default' });

    const telemetry = await waitFor('the telemetry', () =>
      about('v1/gateway/telemetry', keyed).find((m) => JSON.stringify(m.payload).includes('temperature')),
    );
    expect(telemetry.payload).toEqual({
      [id]: [{ ts: readingMs, values: { temperature: 21.5, humidity: 40 } }],
    });
    // firmware is mapped to an attribute: never telemetry.
    expect(JSON.stringify(about('v1/gateway/telemetry', keyed))).not.toContain('firmware');

    const attributes = await waitFor('the client attributes', () => {
      const merged = Object.assign(
        {},
        ...about('v1/gateway/attributes', keyed).map((m) => m.payload[id] as Record<string, unknown>),
      ) as Record<string, unknown>;
      return merged.connectionStatus === 'online' && merged.firmware !== undefined && merged;
    });
    expect(attributes).toEqual({ firmware: '1.2.3', connectionStatus: 'online', lifecycle: 'active' });
    for (const m of about('v1/gateway/attributes', keyed)) expect(Object.keys(m.payload)).toEqual([id]);
  });

  it('turns a shared-attribute update into a desired-state patch', async () => {
    await thingsboard.publishAsync(
      'v1/gateway/attributes',
      JSON.stringify({ device: id, data: { interval: 10 } }),
      {
        qos: 1,
      },
    );
    const desired = await waitFor('the desired state', async () => {
      const state = (await twin())?.desired as Record<string, unknown> | undefined;
      return state?.interval === 10 && state;
    });
    expect(desired).toEqual({ interval: 10 });
  });

  it('refuses bad input from ThingsBoard into the dead-letter topic and goes on', async () => {
    await thingsboard.publishAsync('v1/gateway/rpc', 'not json', { qos: 1 });
    await thingsboard.publishAsync(
      'v1/gateway/rpc',
      JSON.stringify({ device: 'not a device id!', data: { id: 1, method: 'reboot' } }),
      { qos: 1 },
    );
    // Keyless records: spread over partitions, so in no particular order.
    const letters = await consumeUntil([`${d.prefix}device.dlq`], (r) => r.length >= 2);
    const byCode = new Map(letters.map((r) => [r.headers['twinfold.error.code'], r]));
    expect([...byCode.keys()].sort()).toEqual(['INVALID_ID', 'MALFORMED_JSON']);
    expect(letters.map((r) => r.headers['twinfold.component'])).toEqual(['thingsboard', 'thingsboard']);
    expect(byCode.get('MALFORMED_JSON')!.value?.toString('utf8')).toBe('not json');
    const metrics = await fetch(`${adapterUrl}/metrics`).then((r) => r.text());
    expect(metrics).toContain(
      'twinfold_thingsboard_rejected_total{topic="v1/gateway/rpc",code="MALFORMED_JSON"} 1',
    );
  });

  it('turns an RPC into a command and answers it on v1/gateway/rpc when the device acknowledges', async () => {
    const rpc = { device: id, data: { id: 7, method: 'set_brightness', params: { level: 80 } } };
    await thingsboard.publishAsync('v1/gateway/rpc', JSON.stringify(rpc), { qos: 1 });
    const command = await waitFor('the command', async () => {
      const res = await getJson(`${service.url}/api/v1/twins/${id}/commands`);
      const list = (res.body as { data?: { commands: Record<string, unknown>[] } }).data?.commands ?? [];
      return list.find((c) => c.action === 'set_brightness');
    });
    expect(command).toMatchObject({ action: 'set_brightness', parameters: { level: 80 } });
    const commandId = String(command.command_id);
    expect(commandId).toMatch(/^tb-rpc-7-[0-9a-f]{8}$/);
    expect(about('v1/gateway/rpc', (p) => p.device === id && Object.hasOwn(p, 'id'))).toEqual([]);

    await produce(`${d.prefix}device.acks`, [
      { key: id, value: JSON.stringify({ command_id: commandId, status: 'success', result: { level: 80 } }) },
    ]);
    const reply = await waitFor('the RPC reply', () =>
      about('v1/gateway/rpc', (p) => p.device === id && Object.hasOwn(p, 'id')).at(0),
    );
    expect(reply.payload).toEqual({
      device: id,
      id: 7,
      data: { success: true, status: 'acknowledged', ackStatus: 'success', result: { level: 80 } },
    });
  });

  it('sends v1/gateway/disconnect when the twin is deleted', async () => {
    const res = await httpRequest(service.url, 'DELETE', `/api/v1/twins/${id}`);
    expect(res.status).toBe(202);
    const gone = await waitFor('v1/gateway/disconnect', () => about('v1/gateway/disconnect', named).at(0));
    expect(gone.payload).toEqual({ device: id });
  });
});
