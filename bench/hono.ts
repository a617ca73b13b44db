import { join } from 'node:path';
import { Partitioners } from 'kafkajs';
import type { BenchContext } from './context';
import { printSetup, type BenchResult } from './report';
import { deployment, startService } from './support/deployment';
import { benchKafka, committedTotal, createTopics } from './support/kafka';
import { nodeProcess } from './support/process';
import { freePort, waitUntil } from './support/ports';

const TENANT = 'bench';

/**
 * hono: how fast the Eclipse Hono adapter works off a backlog of Hono telemetry (records produced
 * as Hono's Kafka API writes them) into device.telemetry, exactly once (one transaction per
 * partition batch), with the service running and folding what it writes. The rate is records per
 * second from the adapter's "running" line until its committed offsets cover the whole backlog.
 */
export async function honoBench(ctx: BenchContext): Promise<BenchResult> {
  const records = ctx.quick ? 1000 : 100_000;
  const devices = ctx.sizes.endToEnd.devices;
  const setup = {
    ...ctx.versions,
    pipeline: `hono.telemetry.${TENANT} (${ctx.sizes.partitions} partitions, backlog) -> adapter (exactly once) -> device.telemetry (service folding)`,
    records,
    devices,
  };
  printSetup('hono', setup);
  const d = deployment(ctx, 'hono');
  const prefix = `${d.prefix}hono.`;
  const topic = (channel: string) => `${prefix}${channel}.${TENANT}`;
  const kafka = benchKafka(ctx.brokers.kafka, 'hono-bench');
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await admin.connect();
    await createTopics(
      admin,
      ['telemetry', 'event', 'command', 'command_response'].map((c) => ({ topic: topic(c) })),
      ctx.sizes.partitions,
    );
    await startService(ctx, d);
    await producer.connect();
    const created = Date.now();
    for (let i = 0; i < records; i += 2000) {
      const messages = Array.from({ length: Math.min(2000, records - i) }, (_, j) => {
        const device = `dev-${(i + j) % devices}`;
        return {
          key: device,
          value: JSON.stringify({ temperature: 20 + ((i + j) % 100) / 10 }),
          headers: {
            device_id: device,
            'content-type': 'application/json',
            'creation-time': String(created + i + j),
            qos: '0',
            orig_adapter: 'hono-mqtt',
          },
        };
      });
      await producer.send({ topic: topic('telemetry'), acks: -1, messages });
    }
    const spawned = Date.now();
    const adapter = nodeProcess(
      `${d.name}-adapter`,
      join('adapters', 'hono', 'main.js'),
      { ...d.env, HONO_TENANTS: TENANT, HONO_TOPIC_PREFIX: prefix, HONO_HTTP_PORT: String(await freePort()) },
      ctx.logDir,
    );
    d.processes.push(adapter);
    await adapter.waitForLine(/"hono adapter running"/, 60_000);
    const began = Date.now();
    await waitUntil(
      'the adapter to commit the whole backlog',
      async () =>
        (await committedTotal(admin, `${d.applicationId}-hono-uplink`, [topic('telemetry')])) >= records,
      300_000,
      100,
    );
    const seconds = (Date.now() - began) / 1000;
    return {
      bench: 'hono',
      setup,
      figures: [
        {
          name: 'backlog into device.telemetry, exactly once',
          value: Math.round(records / seconds),
          unit: 'records/s',
        },
        { name: 'adapter start (spawn to running)', value: began - spawned, unit: 'ms' },
      ],
      seconds: 0,
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await d.cleanup();
  }
}
