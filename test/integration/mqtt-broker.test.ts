import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { bridgeTopics } from '../../bridge/kafka-topics';
import { topicNames } from '../../shared/topics';
import { bridgeTestSetup } from '../support/bridge-env';
import { uniquePrefix } from '../support/env';
import { freePort } from '../support/free-port';
import { consumeUntil, createTopics } from '../support/kafka';
import { startTestMosquitto, type TestMosquitto } from '../support/mqtt-broker';
import { messageKey, MqttFleet, type FleetPayload } from '../support/mqtt-fleet';
import { BRIDGE, DEVICES, device, SHIPPED_AUTH } from '../support/mqtt-users';
import { ProcessGroup, type ServiceProcess } from '../support/processes';

/**
 * The MQTT broker's half of the guarantee, with a real Mosquitto running the shipped
 * configuration (deploy/mosquitto/: queue limits, persistence, password file and ACL) and the
 * bridge process: a burst far beyond Mosquitto's default queue of 1000 waits for a bridge that is
 * away and arrives whole, also across a broker restart; a broker that does drop is reported by the
 * bridge at once; and the bridge connects over TLS. The ACL has its own tests (mqtt-acl.test.ts).
 */
jest.setTimeout(240_000);

const processes = new ProcessGroup();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await processes.stopAll();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function broker(extraConf: string[] = []): Promise<TestMosquitto> {
  const m = await startTestMosquitto(SHIPPED_AUTH, extraConf);
  cleanups.push(() => m.stop());
  return m;
}

/** A bridge on the shipped ACL's topics (device/{id}/..., twinfold/bridge/status), as user twinfold-bridge. */
async function bridgeOn(mosquitto: TestMosquitto, name: string, extraEnv: Record<string, string> = {}) {
  const prefix = uniquePrefix(name);
  const setup = bridgeTestSetup(prefix, { mqttUrl: mosquitto.url });
  const names = topicNames({ topicPrefix: prefix });
  await createTopics(bridgeTopics(names), 2);
  const httpPort = await freePort();
  const env: Record<string, string> = {
    ...setup.env,
    LOG_LEVEL: 'info',
    BRIDGE_HTTP_PORT: String(httpPort),
    BRIDGE_STATUS_TOPIC: 'twinfold/bridge/status',
    MQTT_USERNAME: BRIDGE.username,
    MQTT_PASSWORD: BRIDGE.password,
    ...extraEnv,
  };
  for (const kind of ['telemetry', 'state', 'status', 'ack', 'error', 'command', 'desired'])
    env[`BRIDGE_TOPIC_${kind.toUpperCase()}`] = `device/{id}/${kind}`;
  return {
    names,
    clientId: setup.clientId,
    start: async (): Promise<ServiceProcess> => {
      const p = processes.spawn('bridge/main.js', env, `bridge-${name}`);
      await p.waitForLine(/"msg":"subscribed"/);
      return p;
    },
    metric: async (metric: string): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      return Number(new RegExp(`^${metric} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    },
  };
}

/** One connection per device, each logged in as its device. */
function fleet(mosquitto: TestMosquitto, perDevice: number): MqttFleet {
  const f = new MqttFleet({
    mqttUrl: mosquitto.url,
    connections: DEVICES.length,
    deviceIds: DEVICES,
    perDevice,
    topic: (id) => `device/${id}/telemetry`,
    credentials: (i) => device(DEVICES[i]!),
  });
  cleanups.push(() => f.close());
  return f;
}

/** Reads `topic` until it holds every message the devices saw acknowledged, or fails naming how many are missing. */
async function expectAllInKafka(topic: string, devices: MqttFleet): Promise<void> {
  const missing = new Set(devices.acked.keys());
  await consumeUntil(
    [topic],
    (records) => {
      for (const r of records) {
        const { seq } = JSON.parse(r.value!.toString('utf8')) as FleetPayload;
        missing.delete(messageKey(r.key!, seq));
      }
      return missing.size === 0;
    },
    { timeoutMs: 120_000 },
  ).catch((err: Error) => {
    throw new Error(
      `${missing.size} of ${devices.acked.size} acknowledged messages never reached Kafka (${err.message})`,
    );
  });
}

describe('the shipped Mosquitto configuration', () => {
  it('queues a 5,000-message burst for a bridge that is away, and every acknowledged message reaches Kafka', async () => {
    const mosquitto = await broker();
    const bridge = await bridgeOn(mosquitto, 'queue');
    const first = await bridge.start(); // creates the bridge's persistent session and subscriptions
    await first.kill('SIGKILL');

    const devices = fleet(mosquitto, 500); // 5,000 > Mosquitto's default max_queued_messages of 1000
    await devices.connect('queue');
    await devices.run();
    expect(devices.acked.size).toBe(5000);

    const second = await bridge.start();
    await expectAllInKafka(bridge.names.telemetry, devices);
    const counters = await second.waitForLine(/reading the MQTT broker counters/);
    expect(counters).toContain('"droppedSinceBrokerStart":0');
    expect(await bridge.metric('twinfold_bridge_mqtt_broker_dropped_messages')).toBe(0);
    expect(second.lines.filter((l) => l.includes('dropped messages'))).toEqual([]);
  });

  it('keeps what it queued for the bridge across a broker restart (persistence)', async () => {
    const mosquitto = await broker();
    const bridge = await bridgeOn(mosquitto, 'persist');
    await (await bridge.start()).kill('SIGKILL');
    const devices = fleet(mosquitto, 200);
    await devices.connect('persist');
    await devices.run();
    await devices.close();
    await mosquitto.restart();

    await bridge.start();
    await expectAllInKafka(bridge.names.telemetry, devices);
  });

  it('lets the bridge report at once, as an error and a metric, a broker that dropped messages', async () => {
    const mosquitto = await broker(['max_queued_messages 100']); // a broker configured too small
    const bridge = await bridgeOn(mosquitto, 'drops');
    const first = await bridge.start();
    await first.kill('SIGKILL');
    const devices = fleet(mosquitto, 50);
    await devices.connect('drops');
    await devices.run();
    expect(devices.acked.size).toBe(500); // every publisher was acknowledged ...

    const second = await bridge.start();
    const line = await second.waitForLine(/the MQTT broker dropped messages/);
    expect(line).toContain('"level":"error"');
    const dropped = await bridge.metric('twinfold_bridge_mqtt_broker_dropped_messages');
    expect(dropped).toBeGreaterThan(0); // ... yet the broker dropped what did not fit its queue of 100
    process.stderr.write(
      `[mqtt-broker] a queue of 100: the broker dropped ${dropped} of 500 acknowledged messages\n`,
    );
  });
});

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string): string => join(dir, name);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=twinfold test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  );
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    f('san.ext'),
    '-out',
    f('server.pem'),
  );
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

describe('the bridge over TLS', () => {
  it('connects to mqtts:// with the CA of MQTT_CA_FILE, where a client without it is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinfold-tls-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const pem = makeCertificates(dir);
    const tlsPort = await freePort();
    const mosquitto = await broker([
      `listener ${tlsPort} 127.0.0.1`,
      `cafile ${pem.ca}`,
      `certfile ${pem.cert}`,
      `keyfile ${pem.key}`,
    ]);
    const tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
    await expect(connectAsync(tlsUrl, { reconnectPeriod: 0, ...BRIDGE })).rejects.toThrow(
      /self.signed|certificate/i,
    );

    const bridge = await bridgeOn(mosquitto, 'tls', { MQTT_URL: tlsUrl, MQTT_CA_FILE: pem.ca });
    await bridge.start();
    const devices = fleet(mosquitto, 5); // the devices on the plain listener
    await devices.connect('tls');
    await devices.run();
    await expectAllInKafka(bridge.names.telemetry, devices);
  });
});
