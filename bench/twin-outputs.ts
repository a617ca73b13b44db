import type { Admin } from 'kafkajs';
import mqtt, { type MqttClient } from 'mqtt';
import { topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { printSetup, type BenchResult } from './report';
import { deployment, startBridge, startService } from './support/deployment';
import { benchKafka } from './support/kafka';
import { waitUntil } from './support/ports';
import { round } from './stats';

const CONNECTIONS = 4;
const WINDOW = 200;

/** Alternating off / on rounds; a quick run proves both figures with one of each. */
const ROUNDS = 6;
const QUICK_ROUNDS = 2;

/**
 * twin outputs: MQTT QoS 1 uplink throughput with the bridge's twin/{id}/update|event|alert
 * publishing on and off, in the same run: one service, and a bridge restarted for each of six
 * alternating rounds (off, on, off, ...), so a busy machine's drift hits both alike; the figures
 * are the medians. Devices publish telemetry as fast as PUBACKs come back (<= 200 in flight per
 * connection); a round's rate is messages per second from its first publish until the bridge has
 * written the last one to device.telemetry. With outputs on, an application subscribed to the
 * twins' topics receives them, so the broker does the extra work it would in production; each
 * "on" round starts its outputs at the start of device.twins / device.events, so they have a
 * backlog to publish during the whole round (the worst case).
 */
export async function twinOutputsBench(ctx: BenchContext): Promise<BenchResult> {
  const { devices } = ctx.sizes.endToEnd;
  const messages = ctx.quick ? 200 : 20_000;
  const rounds = ctx.quick ? QUICK_ROUNDS : ROUNDS;
  const setup = {
    ...ctx.versions,
    pipeline: `${CONNECTIONS} MQTT clients, QoS 1, <= ${WINDOW} in flight each -> Mosquitto -> bridge -> device.telemetry (service running)`,
    devices,
    'messages per round': messages,
    rounds: `${rounds}, alternating off / on, medians`,
  };
  printSetup('twin outputs', setup);
  const twinRoot = `${ctx.runId}/twin-outputs/twin`;
  const d = deployment(ctx, 'twin-outputs', {
    BRIDGE_TOPIC_TWIN_UPDATE: `${twinRoot}/{id}/update`,
    BRIDGE_TOPIC_TWIN_EVENT: `${twinRoot}/{id}/event`,
    BRIDGE_TOPIC_TWIN_ALERT: `${twinRoot}/{id}/alert`,
  });
  const clients: MqttClient[] = [];
  const admin = benchKafka(ctx.brokers.kafka, 'twin-outputs-admin').admin();
  try {
    await startService(ctx, d);
    await admin.connect();
    let received = 0;
    const app = await mqtt.connectAsync(ctx.brokers.mqttUrl, { clientId: `${d.applicationId}-app` });
    clients.push(app);
    app.on('message', () => (received += 1));
    await app.subscribeAsync(`${twinRoot}/#`, { qos: 1 });
    const publishers: MqttClient[] = [];
    for (let c = 0; c < CONNECTIONS; c++)
      publishers.push(
        await mqtt.connectAsync(ctx.brokers.mqttUrl, { clientId: `${d.applicationId}-pub-${c}` }),
      );
    clients.push(...publishers);
    const names = topicNames({ topicPrefix: d.prefix });
    const written = async (): Promise<number> =>
      (await admin.fetchTopicOffsets(names.telemetry)).reduce((n, p) => n + Number(p.high), 0);
    const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let round = 0; round < rounds; round++) {
      const outputs = round % 2 === 1;
      if (outputs)
        await fromStart(admin, `${d.applicationId}-bridge-twin-outputs`, [names.twins, names.events]);
      const bridge = await startBridge(ctx, {
        ...d,
        env: { ...d.env, BRIDGE_TWIN_OUTPUTS: String(outputs) },
      });
      const before = await written();
      const began = Date.now();
      await Promise.all(
        publishers.map((client, c) => publish(client, d.mqttRoot, c, devices, messages / CONNECTIONS)),
      );
      await waitUntil(
        'the bridge to write every message',
        async () => (await written()) - before >= messages,
        120_000,
        20,
      );
      rates[outputs ? 'on' : 'off'].push(messages / ((Date.now() - began) / 1000));
      await bridge.stop();
    }
    const off = median(rates.off);
    const on = median(rates.on);
    const ratio = on / off;
    const listing = (xs: number[]): string => xs.map((x) => round(x)).join(', ');
    ctx.say(`twin outputs: off ${listing(rates.off)} msgs/s, on ${listing(rates.on)} msgs/s`);
    return {
      bench: 'twin outputs',
      setup,
      figures: [
        {
          name: 'MQTT QoS 1 uplink, twin outputs off (median)',
          value: round(off),
          unit: 'msgs/s',
          note: listing(rates.off),
        },
        {
          name: 'MQTT QoS 1 uplink, twin outputs on (median)',
          value: round(on),
          unit: 'msgs/s',
          note: `${listing(rates.on)}; ${received} twin/# messages received`,
        },
        { name: 'uplink on / off', value: round(ratio), unit: 'x', target: { op: '>=', value: 0.9 } },
      ],
      seconds: 0,
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await admin.disconnect().catch(() => undefined);
    await d.cleanup();
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * The worst case: the outputs' group (idle between rounds) starts each "on" round at the start of
 * device.twins and device.events, so it publishes flat out while the uplink is measured.
 */
async function fromStart(admin: Admin, groupId: string, topics: string[]): Promise<void> {
  for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
}

/** Connection `c` publishes `count` messages for its share of the devices, QoS 1, a window in flight. */
async function publish(
  client: MqttClient,
  root: string,
  c: number,
  devices: number,
  count: number,
): Promise<void> {
  const pending = new Set<Promise<unknown>>();
  for (let i = 0; i < count; i++) {
    const device = `dev-${String(((i * CONNECTIONS + c) % devices) + 1).padStart(5, '0')}`;
    while (pending.size >= WINDOW) await Promise.race(pending);
    const payload = JSON.stringify({
      timestamp: new Date().toISOString(),
      data: { value: (i % 50) + 20, seq: i },
    });
    const p: Promise<unknown> = client
      .publishAsync(`${root}/${device}/telemetry`, payload, { qos: 1 })
      .finally(() => pending.delete(p));
    pending.add(p);
  }
  await Promise.all(pending);
}
