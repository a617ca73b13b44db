import { join } from 'node:path';
import mqtt from 'mqtt';
import { topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { printSetup, type BenchResult } from './report';
import { deployment } from './support/deployment';
import { benchKafka, createTopics } from './support/kafka';
import { nodeProcess } from './support/process';
import { freePort, waitUntil } from './support/ports';
import { round } from './stats';

const DEVICES = 1000;
const BATCH = 500;

/**
 * thingsboard: how fast the ThingsBoard adapter mirrors device.twins into a gateway MQTT endpoint
 * (Mosquitto standing in for ThingsBoard; a subscriber plays ThingsBoard). device.twins is filled
 * first with twin documents (each version changes two reported fields), then the adapter starts
 * with a fresh group and reads it from the beginning: the rate is twin records per second from
 * the adapter's first telemetry message to the one of the last record, every publish at QoS 1 and
 * offsets committed after the PUBACKs. No service runs: the adapter needs only the topics.
 */
export async function thingsBoardBench(ctx: BenchContext): Promise<BenchResult> {
  const records = ctx.quick ? 400 : 20_000;
  const setup = {
    ...ctx.versions,
    pipeline: 'device.twins (pre-filled) -> ThingsBoard adapter -> Mosquitto v1/gateway/* -> subscriber',
    devices: DEVICES,
    'twin records': records,
    partitions: ctx.sizes.partitions,
  };
  printSetup('thingsboard', setup);
  const d = deployment(ctx, 'thingsboard');
  const names = topicNames({ topicPrefix: d.prefix });
  const kafka = benchKafka(ctx.brokers.kafka, 'thingsboard-bench');
  const admin = kafka.admin();
  const producer = kafka.producer();
  const tb = await mqtt.connectAsync(ctx.brokers.mqttUrl, { clientId: `${d.applicationId}-tb` });
  try {
    await admin.connect();
    await createTopics(
      admin,
      [
        { topic: names.twins, compacted: true },
        { topic: names.events },
        { topic: names.desired },
        { topic: names.commands },
        { topic: names.dlq },
      ],
      ctx.sizes.partitions,
    );
    const device = (i: number): string => `${ctx.runId}-tb-${String((i % DEVICES) + 1).padStart(5, '0')}`;
    await producer.connect();
    const baseMs = Date.now() - 3_600_000;
    for (let from = 0; from < records; from += BATCH) {
      const messages = [];
      for (let i = from; i < Math.min(records, from + BATCH); i++) {
        const version = Math.floor(i / DEVICES) + 1;
        const at = new Date(baseMs + i).toISOString();
        const meta = { timestamp: at, version };
        messages.push({ key: device(i), value: JSON.stringify(twinDoc(device(i), version, i, meta)) });
      }
      await producer.send({ topic: names.twins, messages });
    }

    let telemetry = 0;
    let first = 0;
    let last = 0;
    tb.on('message', (topic, payload) => {
      if (topic !== 'v1/gateway/telemetry' || !payload.includes(ctx.runId)) return;
      telemetry += 1;
      last = Date.now();
      if (first === 0) first = last;
    });
    await tb.subscribeAsync('v1/gateway/telemetry', { qos: 1 });
    const spawned = Date.now();
    const proc = nodeProcess(
      'thingsboard-adapter',
      join('adapters', 'thingsboard', 'main.js'),
      {
        ...d.env,
        TB_MQTT_URL: ctx.brokers.mqttUrl,
        TB_GATEWAY_TOKEN: `${d.applicationId}-token`,
        TB_CLIENT_ID: `${d.applicationId}-gw`.replace(/[^A-Za-z0-9._:-]/g, '-'),
        TB_HTTP_PORT: String(await freePort()),
      },
      ctx.logDir,
    );
    d.processes.push(proc);
    await proc.waitForLine(/"thingsboard adapter running"/, 60_000);
    const running = Date.now();
    await waitUntil('every twin record mirrored', () => telemetry >= records || undefined, 300_000, 20);
    const rate = records / Math.max(0.001, (last - first) / 1000);
    ctx.say(`thingsboard: ${round(rate)} twin records/s mirrored`);
    return {
      bench: 'thingsboard',
      setup,
      figures: [
        { name: 'twin records mirrored into the gateway API (QoS 1)', value: round(rate), unit: 'records/s' },
        { name: 'adapter start to running', value: round((running - spawned) / 1000), unit: 's' },
      ],
      seconds: 0,
    };
  } finally {
    await tb.endAsync(true).catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await d.cleanup();
  }
}

/** A twin document as device.twins carries it, whose version `version` changed two readings. */
function twinDoc(id: string, version: number, i: number, meta: { timestamp: string; version: number }) {
  return {
    id,
    type: 'meter',
    lifecycle: 'active',
    connection: { status: 'online', since: meta.timestamp, lastSeen: meta.timestamp },
    reported: { power: (i % 50) + 20, voltage: 230 + (i % 7) },
    desired: {},
    delta: {},
    metadata: { reported: { power: meta, voltage: meta }, desired: {} },
    attributes: { site: 'bench' },
    version,
    commands: { pending: 0 },
    createdAt: meta.timestamp,
    updatedAt: meta.timestamp,
  };
}
