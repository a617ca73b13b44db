import { connectAsync, ErrorWithReasonCode, type MqttClient } from 'mqtt';
import { startTestMosquitto, type TestMosquitto } from '../support/mqtt-broker';
import { BRIDGE, DEVICES, device, OBSERVER, SHIPPED_AUTH } from '../support/mqtt-users';
import { waitFor } from '../support/wait';

/**
 * The shipped ACL (deploy/mosquitto/acl) in a real Mosquitto: no anonymous clients, and device A
 * cannot act as device B (publish its readings, acknowledge its commands, mark it offline, read
 * its commands) nor publish on twin/#; only the bridge sends commands.
 */
jest.setTimeout(60_000);

/** The reason code of a QoS 1 publish's PUBACK (MQTT 5): 0 accepted, 0x87 not authorized. */
async function publishReason(client: MqttClient, topic: string): Promise<number> {
  return client.publishAsync(topic, '{"status":"offline","commandId":"forged"}', { qos: 1 }).then(
    () => 0,
    (err: unknown) => (err instanceof ErrorWithReasonCode ? err.code : -1),
  );
}

describe('the shipped Mosquitto ACL', () => {
  let mosquitto: TestMosquitto;
  const clients: MqttClient[] = [];
  beforeEach(async () => {
    mosquitto = await startTestMosquitto(SHIPPED_AUTH);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await mosquitto.stop();
  });

  async function login(user: { username: string; password: string } | undefined, clientId: string) {
    const c = await connectAsync(mosquitto.url, {
      clientId,
      protocolVersion: 5,
      reconnectPeriod: 0,
      ...user,
    });
    clients.push(c);
    return c;
  }

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(login(undefined, 'anon')).rejects.toThrow(/Not authorized|Bad User Name or Password/i);
    await expect(login({ username: DEVICES[0]!, password: 'wrong' }, 'wrong')).rejects.toThrow(
      /Not authorized|Bad User Name or Password/i,
    );
  });

  it('keeps device A from acting as device B or publishing on twin/#', async () => {
    const [a, b] = [DEVICES[0]!, DEVICES[1]!];
    const observer = await login(OBSERVER, 'observer');
    const seen: string[] = [];
    observer.on('message', (topic) => seen.push(topic));
    await observer.subscribeAsync('#', { qos: 1 });

    const deviceA = await login(device(a), 'device-a');
    const forged = [
      `device/${b}/telemetry`, // B's readings
      `device/${b}/state`,
      `device/${b}/ack`, // acknowledge B's command with a forged result
      `device/${b}/status`, // mark B offline
      `device/${b}/error`,
      `device/${b}/command`, // command B
      `twin/${b}/alert`, // an alert for B's twin
      'twin/anything',
    ];
    const reasons: number[] = [];
    for (const topic of forged) reasons.push(await publishReason(deviceA, topic));
    // What A may do, published after the forgeries on the same connection: once the observer
    // has it, the broker has handled every forgery before it.
    await deviceA.publishAsync(`device/${a}/telemetry`, '{"data":{"v":1}}', { qos: 1 });
    await waitFor("A's own telemetry at the observer", () => seen.includes(`device/${a}/telemetry`));
    expect(seen).toEqual([`device/${a}/telemetry`]);
    expect(reasons).toEqual(forged.map(() => 0x87)); // MQTT 5: "not authorized" in the PUBACK

    // A may not listen to B's commands, desired state or twin outputs, only to its own. (Mosquitto
    // 2.0 grants the subscription and withholds each message the ACL does not let A read.)
    const toA: string[] = [];
    deviceA.on('message', (topic) => toA.push(topic));
    await deviceA.subscribeAsync(['device/+/command', 'device/+/desired', 'twin/#'], { qos: 1 });
    const bridge = await login(BRIDGE, 'bridge');
    await bridge.publishAsync(`device/${b}/command`, '{"commandId":"for-b"}', { qos: 1 });
    await bridge.publishAsync(`device/${b}/desired`, '{"version":1}', { qos: 1 });
    await bridge.publishAsync(`twin/${b}/alert`, '{"type":"alert.raised"}', { qos: 1 });
    await bridge.publishAsync(`twin/${a}/alert`, '{"type":"alert.raised"}', { qos: 1 });
    await bridge.publishAsync(`device/${a}/command`, '{"commandId":"for-a"}', { qos: 1 });
    await waitFor("A's own command at A", () => toA.includes(`device/${a}/command`));
    expect(toA).toEqual([`twin/${a}/alert`, `device/${a}/command`]);
  });

  it('lets only the bridge publish commands and desired state', async () => {
    const a = DEVICES[0]!;
    const deviceA = await login(device(a), 'device-a');
    const received: string[] = [];
    deviceA.on('message', (topic) => received.push(topic));
    await deviceA.subscribeAsync([`device/${a}/command`, `device/${a}/desired`], { qos: 1 });
    const other = await login(device(DEVICES[1]!), 'device-b');
    expect(await publishReason(other, `device/${a}/command`)).toBe(0x87);
    const bridge = await login(BRIDGE, 'bridge');
    await bridge.publishAsync(`device/${a}/command`, '{"commandId":"real"}', { qos: 1 });
    await waitFor("the bridge's command at device A", () => received.length > 0);
    expect(received).toEqual([`device/${a}/command`]);
  });
});
