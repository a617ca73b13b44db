import { connectAsync, type MqttClient } from 'mqtt';
import { testEnv } from '../support/env';
import { httpRequest } from '../support/http-client';
import { deployment, getJson, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * The command round trip with every hop real: REST -> device.commands -> the processor (service
 * process) -> device.downlink -> the bridge process -> Mosquitto -> an MQTT device, and the device's
 * ack -> Mosquitto -> the bridge -> device.acks -> the processor -> the command's status over REST.
 */
jest.setTimeout(180_000);

interface DeviceMessage {
  topic: string;
  payload: Record<string, unknown>;
}

describe('bridge end to end with the processor', () => {
  let d: Deployment;
  let service: ServiceInstance;
  let device: MqttClient;
  let deviceId: string;
  const received: DeviceMessage[] = [];

  beforeAll(async () => {
    d = deployment('bridge-e2e');
    service = await startService(d);
    const bridge = d.processes.spawn('bridge/main.js', { ...d.env, BRIDGE_HTTP_PORT: '0' }, 'bridge');
    await bridge.waitForLine(/"bridge running"/);

    deviceId = `${d.prefix.replace(/[^A-Za-z0-9]/g, '')}-lamp-1`;
    device = await connectAsync(testEnv().mqttUrl, {
      protocolVersion: 5,
      clientId: deviceId,
      reconnectPeriod: 0,
    });
    device.on('message', (topic, payload) =>
      received.push({ topic, payload: JSON.parse(payload.toString('utf8')) as Record<string, unknown> }),
    );
    await device.subscribeAsync([`device/${deviceId}/command`, `device/${deviceId}/desired`], { qos: 1 });
    // Commands are delivered to online devices only.
    await device.publishAsync(`device/${deviceId}/status`, 'online', { qos: 1, retain: true });
    await waitFor('the twin to be online', async () => {
      const res = await getJson(`${service.url}/api/v1/twins/${deviceId}`);
      const twin = (res.body as { data?: { connection?: { status?: string } } } | undefined)?.data;
      return res.status === 200 && twin?.connection?.status === 'online';
    });
  });

  afterAll(async () => {
    if (device) {
      // Clear the retained status so no later test sees this device.
      await device
        .publishAsync(`device/${deviceId}/status`, '', { qos: 1, retain: true })
        .catch(() => undefined);
      await device.endAsync(true).catch(() => undefined);
    }
    await d?.cleanup();
  });

  /** Waits for the device to receive a message on device/{id}/{kind} whose payload matches. */
  const atDevice = (
    kind: 'command' | 'desired',
    matches: (payload: Record<string, unknown>) => boolean,
  ): Promise<DeviceMessage> =>
    waitFor(
      `a ${kind} message at the device`,
      () => received.find((m) => m.topic === `device/${deviceId}/${kind}` && matches(m.payload)),
      { timeoutMs: 60_000 },
    );

  /** The command as GET /twins/{id}/commands/{cid} shows it. */
  const commandView = async (cid: string): Promise<Record<string, unknown> | undefined> => {
    const res = await getJson(`${service.url}/api/v1/twins/${deviceId}/commands/${encodeURIComponent(cid)}`);
    return (res.body as { data?: Record<string, unknown> } | undefined)?.data;
  };

  it('delivers a command queued over REST to the device, and its ack into the command status', async () => {
    const queued = await httpRequest(service.url, 'POST', `/api/v1/twins/${deviceId}/command`, {
      body: { action: 'set_brightness', parameters: { level: 80 } },
    });
    expect(queued.status).toBe(202);
    const cid = (queued.body as { data: { command_id: string } }).data.command_id;

    const command = await atDevice('command', (p) => p.command_id === cid);
    expect(command.payload).toMatchObject({
      command_id: cid,
      action: 'set_brightness',
      parameters: { level: 80 },
    });
    expect(typeof command.payload.timestamp).toBe('string');
    // The device has not answered yet: the command waits as delivered (the store may lag the
    // downlink by a moment: it is written after the processor's commit).
    await waitFor('the command delivered', async () => (await commandView(cid))?.status === 'delivered');

    await device.publishAsync(
      `device/${deviceId}/ack`,
      JSON.stringify({ command_id: cid, status: 'success', result: { level: 80 } }),
      { qos: 1 },
    );
    const done = await waitFor(
      'the command acknowledged',
      async () => {
        const command = await commandView(cid);
        return command?.status === 'acknowledged' ? command : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(done).toMatchObject({
      command_id: cid,
      status: 'acknowledged',
      ackStatus: 'success',
      result: { level: 80 },
      attempts: 1,
      deliveredAt: expect.any(String),
      acknowledgedAt: expect.any(String),
    });
    const twin = await getJson(`${service.url}/api/v1/twins/${deviceId}`);
    expect(twin.body).toMatchObject({ data: { commands: { pending: 0 } } });
  });

  it('delivers a desired-state patch to the device as {version, desired, delta}', async () => {
    const patched = await httpRequest(service.url, 'PATCH', `/api/v1/twins/${deviceId}/desired`, {
      body: { interval: 10 },
    });
    expect(patched.status).toBe(202);
    const version = (patched.body as { data: { version: number } }).data.version;
    const desired = await atDevice('desired', (p) => p.version === version);
    expect(desired.payload).toEqual({ version, desired: { interval: 10 }, delta: { interval: 10 } });
  });
});
