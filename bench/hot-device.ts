import mqtt from 'mqtt';
import type { BenchContext } from './context';
import { reportedSeq, type LiveStack } from './live-stack';
import { printSetup, type BenchResult } from './report';
import { sleep, waitUntil } from './support/ports';
import { round } from './stats';

const WINDOW = 1000;

/**
 * hot device: one device publishing as fast as MQTT QoS 1 allows (at most 1000 unacknowledged),
 * through the whole pipeline. The rate is updates seen in device.twins per second, first publish
 * to last twin; order is kept when the twin's `seq` rises by exactly one per document and its
 * version by one.
 */
export async function hotDeviceBench(ctx: BenchContext, stack: LiveStack): Promise<BenchResult> {
  const n = ctx.sizes.hotDevice.updates;
  const deviceId = 'hot-0001';
  const topic = `${stack.d.mqttRoot}/${deviceId}/telemetry`;
  const setup = {
    ...ctx.versions,
    guarantee: stack.guarantee,
    pipeline:
      'one MQTT client, QoS 1, <= 1000 in flight -> Mosquitto -> bridge -> Kafka -> service -> device.twins',
    updates: n,
    'message size': `${JSON.stringify({ timestamp: new Date().toISOString(), data: { value: 50, seq: n } }).length} B`,
  };
  printSetup('hot device', setup);
  const seen: { seq: number; version: number; at: number }[] = [];
  const unlisten = stack.twins.listen((r) => {
    if (r.key !== deviceId) return;
    seen.push({
      seq: reportedSeq(r.value) ?? -1,
      version: Number(r.headers['twinfold.version']),
      at: r.receivedAt,
    });
  });
  const client = await mqtt.connectAsync(ctx.brokers.mqttUrl, { clientId: `${stack.d.applicationId}-hot` });
  try {
    let acked = 0;
    const began = Date.now();
    for (let seq = 1; seq <= n; seq++) {
      while (seq - 1 - acked >= WINDOW) await sleep(1);
      const payload = JSON.stringify({
        timestamp: new Date().toISOString(),
        data: { value: seq % 100, seq },
      });
      client.publish(topic, payload, { qos: 1 }, () => (acked += 1));
    }
    const published = Date.now();
    await waitUntil('the hot device to catch up', () => seen.some((x) => x.seq === n), 120_000, 20);
    const last = seen.find((x) => x.seq === n)!;
    const disorder = seen.filter((x, i) => {
      const prev = seen[i - 1];
      return prev ? x.seq !== prev.seq + 1 || x.version !== prev.version + 1 : x.seq !== 1;
    }).length;
    const rate = n / ((last.at - began) / 1000);
    ctx.say(`hot device: ${round(rate)} updates/s, ${disorder} out of order, ${seen.length} documents`);
    return {
      bench: 'hot device',
      setup,
      figures: [
        {
          name: 'one device, updates/s',
          value: round(rate),
          unit: 'updates/s',
          target: { op: '>=', value: 1000 },
          note: `published in ${round((published - began) / 1000)} s, last twin after ${round((last.at - began) / 1000)} s`,
        },
        {
          name: 'updates out of order or missing',
          value: disorder + Math.max(0, n - seen.length),
          unit: '',
          target: { op: '<=', value: 0 },
          note: `${seen.length} twin documents for ${n} messages`,
        },
      ],
      seconds: 0,
    };
  } finally {
    unlisten();
    await client.endAsync();
  }
}
