import mqtt, { type MqttClient } from 'mqtt';
import { topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { printSetup, type BenchResult } from './report';
import { deployment, startBridge, startService } from './support/deployment';
import { benchKafka } from './support/kafka';
import { sleep, waitUntil } from './support/ports';
import { round } from './stats';

const CONNECTIONS = 4;
const WINDOW = 200;

interface Run {
  rate: number;
  /** twin/{id}/update|event|alert messages an application subscribed to twin/# received. */
  outputs: number;
}

/**
 * twin outputs: MQTT QoS 1 uplink throughput with the bridge's twin/{id}/update|event|alert
 * publishing on and off, in the same run, each over a whole stack (service and bridge) of its own.
 * Devices publish telemetry as fast as PUBACKs come back (<= 200 in flight per connection); the
 * rate is messages per second from the first publish until the bridge has written the last one
 * to device.telemetry. With outputs on, an application subscribed to the twins' topics receives
 * them meanwhile, so the broker does the extra work it would in production.
 */
export async function twinOutputsBench(ctx: BenchContext): Promise<BenchResult> {
  const { devices } = ctx.sizes.endToEnd;
  const messages = ctx.quick ? 400 : 40_000;
  const setup = {
    ...ctx.versions,
    pipeline: `${CONNECTIONS} MQTT clients, QoS 1, <= ${WINDOW} in flight each -> Mosquitto -> bridge -> device.telemetry (service running)`,
    devices,
    messages,
    order: 'off, then on',
  };
  printSetup('twin outputs', setup);
  const off = await measure(ctx, false, devices, messages);
  const on = await measure(ctx, true, devices, messages);
  const ratio = on.rate / off.rate;
  ctx.say(`twin outputs: off ${round(off.rate)} msgs/s, on ${round(on.rate)} msgs/s (${round(ratio)}x)`);
  return {
    bench: 'twin outputs',
    setup,
    figures: [
      { name: 'MQTT QoS 1 uplink, twin outputs off', value: round(off.rate), unit: 'msgs/s' },
      {
        name: 'MQTT QoS 1 uplink, twin outputs on',
        value: round(on.rate),
        unit: 'msgs/s',
        note: `${on.outputs} twin/# messages received meanwhile`,
      },
      { name: 'uplink on / off', value: round(ratio), unit: 'x', target: { op: '>=', value: 0.9 } },
    ],
    seconds: 0,
  };
}

async function measure(ctx: BenchContext, outputs: boolean, devices: number, messages: number): Promise<Run> {
  const name = `twin-outputs-${outputs ? 'on' : 'off'}`;
  const twinRoot = `${ctx.runId}/${name}/twin`;
  const d = deployment(ctx, name, {
    BRIDGE_TWIN_OUTPUTS: String(outputs),
    BRIDGE_TOPIC_TWIN_UPDATE: `${twinRoot}/{id}/update`,
    BRIDGE_TOPIC_TWIN_EVENT: `${twinRoot}/{id}/event`,
    BRIDGE_TOPIC_TWIN_ALERT: `${twinRoot}/{id}/alert`,
  });
  const clients: MqttClient[] = [];
  const admin = benchKafka(ctx.brokers.kafka, `${name}-admin`).admin();
  try {
    await startService(ctx, d);
    await startBridge(ctx, d);
    await admin.connect();
    let received = 0;
    const app = await mqtt.connectAsync(ctx.brokers.mqttUrl, { clientId: `${d.applicationId}-app` });
    clients.push(app);
    app.on('message', () => (received += 1));
    await app.subscribeAsync(`${twinRoot}/#`, { qos: 1 });
    for (let c = 0; c < CONNECTIONS; c++)
      clients.push(await mqtt.connectAsync(ctx.brokers.mqttUrl, { clientId: `${d.applicationId}-pub-${c}` }));
    const telemetry = topicNames({ topicPrefix: d.prefix }).telemetry;
    const written = async (): Promise<number> =>
      (await admin.fetchTopicOffsets(telemetry)).reduce((n, p) => n + Number(p.high), 0);
    const before = await written();
    const began = Date.now();
    await Promise.all(
      clients.slice(1).map((client, c) => publish(client, d.mqttRoot, c, devices, messages / CONNECTIONS)),
    );
    await waitUntil(
      'the bridge to write every message',
      async () => (await written()) - before >= messages,
      120_000,
      20,
    );
    const rate = messages / ((Date.now() - began) / 1000);
    if (outputs) await sleep(500); // the last outputs, for the count only
    return { rate, outputs: received };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await admin.disconnect().catch(() => undefined);
    await d.cleanup();
  }
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
