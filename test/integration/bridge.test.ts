import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { ConfigResourceTypes } from 'kafkajs';
import { Registry } from 'prom-client';
import { Bridge } from '../../bridge/bridge';
import { loadBridgeConfig } from '../../bridge/bridge-config';
import { bridgeTopics } from '../../bridge/kafka-topics';
import { loadCommonConfig, type CommonConfig } from '../../shared/config';
import { createLogger } from '../../shared/logger';
import { partitionForKey } from '../../shared/partitioner';
import { topicNames, type TopicNames } from '../../shared/topics';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bridgeTestSetup } from '../support/bridge-env';
import { testEnv, uniquePrefix } from '../support/env';
import { freePort } from '../support/free-port';
import { ProcessGroup } from '../support/processes';
import { consumeUntil, createTopics, produce, testKafka, type ConsumedRecord } from '../support/kafka';
import { waitFor } from '../support/wait';

/**
 * The bridge against real Mosquitto and real Kafka. Each test has its own Kafka topic prefix, its
 * own MQTT topic root and its own MQTT client ids, so tests never see each other's messages.
 */
const PARTITIONS = 3;
// A project's testTimeout in jest.config.js is not applied (jestjs/jest#9696), so set it here.
jest.setTimeout(180_000);

interface Harness {
  config: CommonConfig;
  names: TopicNames;
  /** MQTT topic root standing in for `device`, unique to the test. */
  root: string;
  statusTopic: string;
  clientId: string;
  env: Record<string, string>;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** `withoutTopics`: create no Kafka topics (the bridge waits for them). */
async function harness(name: string, options: { withoutTopics?: boolean } = {}): Promise<Harness> {
  const prefix = uniquePrefix(name);
  const { root, statusTopic, clientId, env } = bridgeTestSetup(prefix);
  const config = loadCommonConfig(env);
  const names = topicNames(config);
  if (!options.withoutTopics) await createTopics(bridgeTopics(names), PARTITIONS);
  return { config, names, root, statusTopic, clientId, env };
}

/**
 * Makes Kafka refuse (or accept again) writes to `topic`: with max.message.bytes far below any
 * record batch, every produce fails with MESSAGE_TOO_LARGE and nothing is appended. (Raising
 * min.insync.replicas would not do: Kafka caps it at the replication factor, 1 here.)
 */
async function setWritable(topic: string, writable: boolean): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'max.message.bytes', value: writable ? '1048588' : '16' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  await new Promise((r) => setTimeout(r, 500)); // let the broker apply it
}

async function startBridge(
  h: Harness,
  overrides: Record<string, string> = {},
): Promise<{ bridge: Bridge; registry: Registry }> {
  const registry = new Registry();
  const bridge = new Bridge({
    config: h.config,
    bridge: loadBridgeConfig({ ...h.env, ...overrides }),
    logger: createLogger({
      level: process.env.BRIDGE_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'warn',
      component: 'test-bridge',
    }),
    registry,
  });
  cleanups.push(() => bridge.stop());
  await bridge.start();
  return { bridge, registry };
}

async function device(name = 'device'): Promise<MqttClient> {
  const client = await connectAsync(testEnv().mqttUrl, {
    protocolVersion: 5,
    clientId: `${name}-${randomUUID().slice(0, 8)}`,
    reconnectPeriod: 0,
  });
  cleanups.push(() => client.endAsync(true));
  return client;
}

async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

const valueOf = (r: ConsumedRecord): unknown => JSON.parse(r.value!.toString('utf8'));

describe('bridge uplink', () => {
  it('writes telemetry keyed by device id, with MQTT headers, partitioned like Java, in per-device order', async () => {
    const h = await harness('uplink-order');
    const { registry } = await startBridge(h);
    const dev = await device();
    const devices = ['sensor-001', 'sensor-002', 'light.7:a'];
    const perDevice = 150;
    const before = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let seq = 0; seq < perDevice; seq++) {
      for (const id of devices) {
        sends.push(
          dev.publishAsync(`${h.root}/${id}/telemetry`, JSON.stringify({ seq, data: { t: seq / 10 } }), {
            qos: 1,
          }),
        );
      }
    }
    await Promise.all(sends);
    const total = devices.length * perDevice;
    const records = await consumeUntil([h.names.telemetry], (rs) => rs.length >= total);
    expect(records).toHaveLength(total);

    const messageIds = new Set<string>();
    for (const r of records) {
      expect(devices).toContain(r.key);
      expect(r.partition).toBe(partitionForKey(r.key!, PARTITIONS));
      expect(r.headers['mqtt.topic']).toBe(`${h.root}/${r.key}/telemetry`);
      expect(r.headers['mqtt.qos']).toBe('1');
      expect(Number(r.headers['mqtt.received_at'])).toBeGreaterThanOrEqual(before - 1000);
      expect(r.headers['mqtt.message_id']).toMatch(/^[0-9a-f-]{36}$/);
      messageIds.add(r.headers['mqtt.message_id']!);
    }
    expect(messageIds.size).toBe(total);
    for (const id of devices) {
      const seqs = records.filter((r) => r.key === id).map((r) => (valueOf(r) as { seq: number }).seq);
      expect(seqs).toEqual([...Array(perDevice).keys()]);
    }
    expect(await metricValue(registry, 'twinfold_bridge_messages_in_total', { kind: 'telemetry' })).toBe(
      total,
    );
    expect(
      await metricValue(registry, 'twinfold_bridge_messages_produced_total', { topic: h.names.telemetry }),
    ).toBe(total);
    await waitFor(
      'in-flight gauge back to 0',
      async () => (await metricValue(registry, 'twinfold_bridge_in_flight')) === 0,
    );
  });

  it('routes state, status, ack and error, each with the bytes the device sent', async () => {
    const h = await harness('uplink-kinds');
    await startBridge(h);
    const dev = await device();
    const sent: Record<string, string> = {
      [h.names.state]: '{"version":3,"power":"on"}',
      [h.names.status]: 'online',
      [h.names.acks]: '{"command_id":"c-1","status":"success"}',
      [h.names.errors]: '{ "error_code": "E001", "message": "sensor timeout" }',
    };
    await dev.publishAsync(`${h.root}/s-1/state`, sent[h.names.state]!, { qos: 1 });
    await dev.publishAsync(`${h.root}/s-1/status`, sent[h.names.status]!, { qos: 1 });
    await dev.publishAsync(`${h.root}/s-1/ack`, sent[h.names.acks]!, { qos: 1 });
    await dev.publishAsync(`${h.root}/s-1/error`, sent[h.names.errors]!, { qos: 1 });
    const topics = Object.keys(sent);
    const records = await consumeUntil(topics, (rs) => rs.length >= 4);
    expect(Object.fromEntries(records.map((r) => [r.topic, r.value!.toString('utf8')]))).toEqual(sent);
    for (const r of records) expect(r.key).toBe('s-1');
  });

  it('dead-letters hostile input and keeps working', async () => {
    const h = await harness('uplink-hostile');
    const { bridge, registry } = await startBridge(h);
    const dev = await device();
    const hostile: { topic: string; payload: Buffer; code: string; key: string | null }[] = [
      {
        topic: `${h.root}/dévice/telemetry`,
        payload: Buffer.from('{"t":1}'),
        code: 'INVALID_ID',
        key: 'dévice',
      },
      { topic: `${h.root}/日本/telemetry`, payload: Buffer.from('{"t":1}'), code: 'INVALID_ID', key: '日本' },
      {
        topic: `${h.root}/-starts-with-dash/telemetry`,
        payload: Buffer.from('{"t":1}'),
        code: 'INVALID_ID',
        key: '-starts-with-dash',
      },
      {
        topic: `${h.root}/${'x'.repeat(129)}/telemetry`,
        payload: Buffer.from('{"t":1}'),
        code: 'INVALID_ID',
        key: 'x'.repeat(129),
      },
      { topic: `${h.root}//telemetry`, payload: Buffer.from('{"t":1}'), code: 'INVALID_ID', key: null },
      {
        topic: `${h.root}/big-1/telemetry`,
        payload: Buffer.alloc(10 * 1024 * 1024, 0x20),
        code: 'PAYLOAD_TOO_LARGE',
        key: 'big-1',
      },
      {
        topic: `${h.root}/utf-1/telemetry`,
        payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
        code: 'MALFORMED_JSON',
        key: 'utf-1',
      },
      {
        topic: `${h.root}/txt-1/telemetry`,
        payload: Buffer.from('temperature=23.5'),
        code: 'MALFORMED_JSON',
        key: 'txt-1',
      },
      {
        topic: `${h.root}/arr-1/telemetry`,
        payload: Buffer.from('[1,2,3]'),
        code: 'VALIDATION_ERROR',
        key: 'arr-1',
      },
      {
        topic: `${h.root}/deep-1/state`,
        payload: Buffer.from('['.repeat(5000) + ']'.repeat(5000)),
        code: 'LIMIT_EXCEEDED',
        key: 'deep-1',
      },
      {
        topic: `${h.root}/st-1/status`,
        payload: Buffer.from('sleeping'),
        code: 'MALFORMED_JSON',
        key: 'st-1',
      },
    ];
    for (const m of hostile) await dev.publishAsync(m.topic, m.payload, { qos: 1 });
    await dev.publishAsync(`${h.root}/good-1/telemetry`, '{"t":42}', { qos: 1 });

    const dlq = await consumeUntil([h.names.dlq], (rs) => rs.length >= hostile.length);
    expect(dlq).toHaveLength(hostile.length);
    for (const m of hostile) {
      const r = dlq.find((d) => d.headers['twinfold.source.topic'] === m.topic);
      expect(r).toBeDefined();
      expect(r!.key).toBe(m.key);
      expect(r!.headers['twinfold.error.code']).toBe(m.code);
      expect(r!.headers['twinfold.component']).toBe('bridge');
      if (m.code === 'PAYLOAD_TOO_LARGE') {
        expect(r!.value!.length).toBe(h.config.maxPayloadBytes);
        expect(r!.headers['twinfold.value.truncated']).toBe('true');
        expect(r!.headers['twinfold.value.original_bytes']).toBe(String(10 * 1024 * 1024));
      } else {
        expect(r!.value!.equals(m.payload)).toBe(true);
      }
    }
    const good = await consumeUntil([h.names.telemetry], (rs) => rs.length >= 1);
    expect(good.map((r) => [r.key, valueOf(r)])).toEqual([['good-1', { t: 42 }]]);
    expect(bridge.health()).toMatchObject({ state: 'running', healthy: true, uplinkConnected: true });
    expect(await metricValue(registry, 'twinfold_bridge_dlq_total')).toBe(hostile.length);
    expect(await metricValue(registry, 'twinfold_bridge_dlq_total', { code: 'INVALID_ID' })).toBe(5);
  });

  it('stops reading at BRIDGE_MAX_IN_FLIGHT while Kafka refuses writes, then catches up in order', async () => {
    const h = await harness('uplink-backpressure');
    const { bridge, registry } = await startBridge(h, {
      BRIDGE_MAX_IN_FLIGHT: '5',
      BRIDGE_BATCH_MAX_MESSAGES: '2',
    });
    await setWritable(h.names.telemetry, false);
    const dev = await device();
    for (let seq = 0; seq < 40; seq++) {
      await dev.publishAsync(`${h.root}/bp-1/telemetry`, JSON.stringify({ seq }), { qos: 1 });
    }
    await waitFor('5 messages in flight', () => bridge.health().inFlight === 5);
    await waitFor(
      'a failed write',
      async () => (await metricValue(registry, 'twinfold_bridge_produce_errors_total')) > 0,
    );
    expect(bridge.health().inFlight).toBe(5);
    expect(await metricValue(registry, 'twinfold_bridge_messages_in_total')).toBe(5);

    await setWritable(h.names.telemetry, true);
    const records = await consumeUntil([h.names.telemetry], (rs) => rs.length >= 40, { timeoutMs: 120_000 });
    expect(records.map((r) => (valueOf(r) as { seq: number }).seq)).toEqual([...Array(40).keys()]);
  });

  it('does not acknowledge what Kafka did not take: the broker redelivers it to the next bridge', async () => {
    const h = await harness('uplink-redeliver');
    const first = await startBridge(h, { BRIDGE_SHUTDOWN_TIMEOUT_MS: '500' });
    await setWritable(h.names.telemetry, false);
    const dev = await device();
    await dev.publishAsync(`${h.root}/rd-1/telemetry`, '{"n":1}', { qos: 1 });
    await dev.publishAsync(`${h.root}/rd-1/telemetry`, '{"n":2}', { qos: 1 });
    await waitFor('messages in flight', () => first.bridge.health().inFlight === 2);
    await first.bridge.stop();

    await setWritable(h.names.telemetry, true);
    await startBridge(h); // same client id: resumes the persistent session
    const records = await consumeUntil([h.names.telemetry], (rs) => rs.length >= 2, { timeoutMs: 120_000 });
    expect(records.map((r) => valueOf(r))).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('splits the load of a shared subscription between bridges without losing or duplicating', async () => {
    const h = await harness('uplink-shared');
    const group = { BRIDGE_SHARED_GROUP: 'bridges' };
    const a = await startBridge(h, { ...group, BRIDGE_CLIENT_ID: `${h.clientId}-a` });
    const b = await startBridge(h, { ...group, BRIDGE_CLIENT_ID: `${h.clientId}-b` });
    const dev = await device();
    for (let i = 0; i < 60; i++)
      await dev.publishAsync(`${h.root}/sh-${i % 6}/telemetry`, JSON.stringify({ i }), { qos: 1 });
    const records = await consumeUntil([h.names.telemetry], (rs) => rs.length >= 60);
    await new Promise((r) => setTimeout(r, 500));
    const seen = records.map((r) => (valueOf(r) as { i: number }).i).sort((x, y) => x - y);
    expect(seen).toEqual([...Array(60).keys()]);
    const inA = await metricValue(a.registry, 'twinfold_bridge_messages_in_total');
    const inB = await metricValue(b.registry, 'twinfold_bridge_messages_in_total');
    expect(inA + inB).toBe(60);
    expect(inA).toBeGreaterThan(0);
    expect(inB).toBeGreaterThan(0);
  });
});

describe('bridge downlink', () => {
  it('publishes commands and desired state to the device, in order, and commits after PUBACK', async () => {
    const h = await harness('downlink');
    const { registry } = await startBridge(h);
    const dev = await device('light-1');
    const received: { topic: string; payload: unknown }[] = [];
    dev.on('message', (topic, payload) =>
      received.push({ topic, payload: JSON.parse(payload.toString('utf8')) }),
    );
    await dev.subscribeAsync([`${h.root}/light-1/command`, `${h.root}/light-1/desired`], { qos: 1 });

    const commands = [...Array(20).keys()].map((n) => ({
      key: 'light-1',
      value: JSON.stringify({
        kind: 'command',
        deviceId: 'light-1',
        payload: {
          command_id: `c-${n}`,
          action: 'set_brightness',
          parameters: { brightness: n },
          timestamp: 1,
        },
      }),
    }));
    const desired = {
      key: 'light-1',
      value: JSON.stringify({
        kind: 'desired',
        deviceId: 'light-1',
        payload: { version: 4, desired: { interval: 10 }, delta: { interval: 10 } },
      }),
    };
    const invalid = { key: 'a+b', value: JSON.stringify({ kind: 'command', deviceId: 'a+b', payload: {} }) };
    await produce(h.names.downlink, [...commands, desired, invalid]);

    await waitFor('21 messages at the device', () => received.length >= 21, { timeoutMs: 60_000 });
    const cmds = received
      .filter((m) => m.topic.endsWith('/command'))
      .map((m) => (m.payload as { command_id: string }).command_id);
    expect(cmds).toEqual(commands.map((_c, n) => `c-${n}`));
    expect(received.find((m) => m.topic === `${h.root}/light-1/desired`)?.payload).toEqual({
      version: 4,
      desired: { interval: 10 },
      delta: { interval: 10 },
    });

    const dlq = await consumeUntil([h.names.dlq], (rs) => rs.length >= 1);
    expect(dlq[0]).toMatchObject({
      key: 'a+b',
      headers: { 'twinfold.error.code': 'INVALID_ID', 'twinfold.source.topic': h.names.downlink },
    });
    expect(dlq[0]!.headers['twinfold.source.offset']).toMatch(/^\d+$/);

    const admin = testKafka().admin();
    await admin.connect();
    try {
      const groupId = `${h.config.applicationId}-bridge-downlink`;
      await waitFor('offsets committed up to the end', async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [h.names.downlink] });
        const ends = await admin.fetchTopicOffsets(h.names.downlink);
        return ends.every(
          (e) =>
            e.high === '0' ||
            committed!.partitions.find((p) => p.partition === e.partition)?.offset === e.high,
        );
      });
    } finally {
      await admin.disconnect();
    }
    expect(await metricValue(registry, 'twinfold_bridge_downlink_delivered_total')).toBe(21);
  });
});

describe('bridge lifecycle', () => {
  it('waits for missing topics while starting, and a stop cancels that wait', async () => {
    const h = await harness('lifecycle', { withoutTopics: true });
    const bridge = new Bridge({
      config: h.config,
      bridge: loadBridgeConfig(h.env),
      logger: createLogger({ level: 'error' }),
      registry: new Registry(),
    });
    const starting = bridge.start();
    await waitFor('starting', () => bridge.health().state === 'starting');
    await new Promise((r) => setTimeout(r, 1500));
    expect(bridge.health()).toMatchObject({ state: 'starting', healthy: true, ready: false });
    await bridge.stop();
    await expect(starting).resolves.toBeUndefined();
    expect(bridge.health()).toMatchObject({ state: 'stopped', healthy: false, ready: false });
  });
});

describe('bridge status', () => {
  it('is online (retained) while running and offline after stop', async () => {
    const h = await harness('status');
    const { bridge } = await startBridge(h);
    const watcher = await device('watcher');
    const statuses: string[] = [];
    watcher.on('message', (_t, payload) => statuses.push(payload.toString('utf8')));
    await watcher.subscribeAsync(h.statusTopic, { qos: 1 });
    await waitFor('retained online', () => statuses.includes('online'));
    await bridge.stop();
    await waitFor('offline', () => statuses[statuses.length - 1] === 'offline');
  });
});

describe('bridge process (dist/bridge/main.js)', () => {
  const processes = new ProcessGroup();
  afterEach(() => processes.stopAll());

  it('waits for its topics, serves /healthz, /readyz and /metrics, and stops cleanly on SIGTERM', async () => {
    if (!existsSync(join(__dirname, '..', '..', 'dist', 'bridge', 'main.js'))) {
      throw new Error(
        'dist/bridge/main.js is missing: run `npm run build` first (npm run test:integration does)',
      );
    }
    const h = await harness('process', { withoutTopics: true });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const watcher = await device('watcher');
    const statuses: string[] = [];
    watcher.on('message', (_t, payload) => statuses.push(payload.toString('utf8')));
    await watcher.subscribeAsync(h.statusTopic, { qos: 1 });

    // Invalid settings of the service: the bridge reads only its own and the common ones.
    const serviceMistakes = { HTTP_PORT: 'eighty', PARTITIONS: '0', AUTH_MODE: 'jwt' };
    const env = { ...h.env, ...serviceMistakes, LOG_LEVEL: 'info', BRIDGE_HTTP_PORT: String(port) };
    const bridge = processes.spawn('bridge/main.js', env, 'bridge');
    await bridge.waitForLine(/waiting for Kafka topics/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);

    await createTopics(bridgeTopics(h.names), PARTITIONS);
    await bridge.waitForLine(/bridge running/);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await waitFor('retained online', () => statuses.includes('online'));

    const dev = await device();
    await dev.publishAsync(`${h.root}/proc-1/telemetry`, '{"t":1}', { qos: 1 });
    const records = await consumeUntil([h.names.telemetry], (rs) => rs.length >= 1);
    expect(records[0]!.key).toBe('proc-1');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/twinfold_bridge_messages_in_total\{kind="telemetry"\} 1/);
    expect(metrics).toMatch(/twinfold_bridge_produce_latency_seconds_count \d+/);

    await expect(bridge.kill('SIGTERM')).resolves.toBe(0);
    expect(bridge.lines.some((l) => l.includes('bridge stopped'))).toBe(true);
    await waitFor('offline', () => statuses[statuses.length - 1] === 'offline');
  });

  it('exits 2 naming every invalid setting of its own', async () => {
    const env = { LOG_LEVEL: 'loud', MQTT_URL: 'not a url', BRIDGE_MAX_IN_FLIGHT: '0', HTTP_PORT: 'eighty' };
    const bridge = processes.spawn('bridge/main.js', env, 'bridge-misconfigured');
    expect(await bridge.exited).toBe(2);
    // Output may trail the exit event by a moment.
    await waitFor('the reasons', () => bridge.lines.some((l) => l.includes('BRIDGE_MAX_IN_FLIGHT')));
    const output = bridge.lines.join('\n');
    for (const name of ['LOG_LEVEL', 'MQTT_URL', 'BRIDGE_MAX_IN_FLIGHT']) expect(output).toContain(name);
    expect(output).not.toContain('HTTP_PORT');
  });
});
