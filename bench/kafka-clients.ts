import { loadavg } from 'node:os';
import { inputTopics, topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { preloadInputs } from './fold';
import type { BenchClient, TxShape } from './kafka-clients/client';
import { comparisonTable, mean, rate, type Run } from './kafka-clients/comparison';
import { kafkajsClient } from './kafka-clients/kafkajs-client';
import { platformaticClient } from './kafka-clients/platformatic-client';
import { produceBatches, recordBytes, type OutputTopics } from './kafka-clients/records';
import { printSetup, type BenchResult, type Figure } from './report';
import { deployment } from './support/deployment';
import { benchKafka, committedTotal, createTopics, endTotal } from './support/kafka';
import { round } from './stats';

const PER_SEND = 500;

const DECISION = [
  'Decision (README, "Kafka clients"): kafkajs stays in topology/. @platformatic/kafka is measured only;',
  'adopting it needs Node >= 22.22, figures that beat kafkajs here, and every kill, rebalance and',
  'state-loss test green on it with one transactional producer per instance.',
].join('\n');
const TX = { intervalMs: 100, perSend: PER_SEND, maxPerTx: 5000 };

async function timed(records: number, fn: () => Promise<{ from?: number; detail: string }>): Promise<Run> {
  const cpu = process.cpuUsage();
  const began = Date.now();
  const { from, detail } = await fn();
  const end = Date.now();
  const used = process.cpuUsage(cpu);
  return {
    records,
    seconds: (end - (from && from > 0 ? from : began)) / 1000,
    cpuMicros: (used.user + used.system) / records,
    load: loadavg()[0]!,
    detail,
  };
}

/** The figures of one phase: each client's mean rate and CPU per record, and the ratio. */
function phaseFigures(
  phase: string,
  unit: string,
  runs: Map<string, Run[]>,
  ratioOf?: [string, string],
): Figure[] {
  const figures: Figure[] = [];
  const rates = new Map<string, number>();
  for (const [client, list] of runs) {
    if (list.length === 0) continue;
    const r = round(mean(list.map(rate)));
    rates.set(client, r);
    figures.push({
      name: `${phase} ${client}`,
      value: r,
      unit,
      note: `${round(mean(list.map((x) => x.cpuMicros)))} µs CPU/record; runs ${list
        .map((x) => `${round(rate(x))} (load ${x.load.toFixed(1)})`)
        .join(', ')}; ${list[0]!.detail}`,
    });
  }
  if (ratioOf) {
    const [a, b] = ratioOf;
    const ra = rates.get(a);
    const rb = rates.get(b);
    figures.push({
      name: `${phase} ratio ${a} / ${b}`,
      value: ra && rb ? Math.round((ra / rb) * 100) / 100 : null,
      unit: '×',
    });
  }
  return figures;
}

/**
 * kafka-clients: kafkajs against @platformatic/kafka in the same run on the same broker: produce
 * (idempotent, acks=all, the fold's output shape), consume (read_committed) of the fold's
 * preloaded inputs, and the fold's transactional consume-transform-produce loop.
 */
export async function kafkaClientsBench(ctx: BenchContext): Promise<BenchResult> {
  const { devices, records } = ctx.sizes.fold;
  const { partitions } = ctx.sizes;
  const rounds = ctx.quick ? 1 : 2;
  const d = deployment(ctx, 'clients');
  const names = inputTopics(topicNames({ topicPrefix: d.prefix })).map((t) => t.topic);
  const outputs = (phase: string): OutputTopics => ({
    changelog: `${d.prefix}${phase}.changelog`,
    twins: `${d.prefix}${phase}.twins`,
    events: `${d.prefix}${phase}.events`,
  });
  const clients: BenchClient[] = [kafkajsClient(ctx.brokers.kafka), platformaticClient(ctx.brokers.kafka)];
  const setup: Record<string, string | number> = {
    ...ctx.versions,
    '@platformatic/kafka': '2.12.1 (devDependency; its engines say Node >= 22.22, loaded by require(esm))',
    partitions,
    'input records': `${records} over ${devices} devices (bench/fold.ts preload, 90% telemetry)`,
    outputs: 'per input: 400 B changelog + 609 B document, 250 B event every 2nd (synthetic, fold-sized)',
    produce: `outputs of ${Math.max(10, Math.round(records / 4))} inputs, ${PER_SEND} inputs' outputs per send, one send at a time`,
    transactions: `commit interval ${TX.intervalMs} ms, at most ${TX.maxPerTx} inputs per transaction (single producer)`,
    rounds: `${rounds}, client order alternating; CPU = this process's user+system per record`,
  };
  const figures: Figure[] = [];
  const admin = benchKafka(ctx.brokers.kafka, 'bench-clients').admin();
  await admin.connect();
  try {
    const tx = outputs('tx');
    const produced = outputs('produce');
    await createTopics(
      admin,
      [...names, ...Object.values(tx), ...Object.values(produced)].map((topic) => ({ topic })),
      partitions,
    );
    const began = Date.now();
    await preloadInputs(ctx, d, devices, records, 'pk-');
    const total = await endTotal(admin, names);
    setup.preload = `${total} records in ${round((Date.now() - began) / 1000)} s`;
    printSetup('kafka-clients', setup);
    const deadline = (): number => Date.now() + ctx.sizes.fold.maxSeconds * 3000;
    const ordered = (i: number): BenchClient[] => (i % 2 === 0 ? clients : [...clients].reverse());
    const runs = (): Map<string, Run[]> => new Map(clients.map((c) => [c.name, []]));

    const batches = produceBatches(
      Math.max(10, Math.round(records / 4)),
      devices,
      partitions,
      PER_SEND,
      produced,
    );
    const outCount = batches.reduce((n, b) => n + b.length, 0);
    const outBytes = batches.reduce((n, b) => n + recordBytes(b), 0);
    const produce = runs();
    for (let i = 0; i < rounds; i++)
      for (const c of ordered(i)) {
        const r = await timed(outCount, async () => {
          await c.produce(batches);
          return { detail: `${outCount} records, ${round(outBytes / outCount)} B each` };
        });
        ctx.say(`kafka-clients produce ${c.name}: ${round(rate(r))} records/s`);
        produce.get(c.name)!.push(r);
      }
    figures.push(...phaseFigures('produce', 'records/s', produce, [clients[1]!.name, clients[0]!.name]));

    const consume = runs();
    for (let i = 0; i < rounds; i++)
      for (const c of ordered(i)) {
        const groupId = `${d.applicationId}-consume-${i}-${c.name.replace(/\W/g, '')}`;
        const r = await timed(total, async () => {
          const { firstAt, bytes } = await c.consume(names, groupId, total, deadline());
          return {
            from: firstAt,
            detail: `${total} records, ${round(bytes / total)} B each, from the first record`,
          };
        });
        ctx.say(`kafka-clients consume ${c.name}: ${round(rate(r))} records/s`);
        consume.get(c.name)!.push(r);
      }
    figures.push(...phaseFigures('consume', 'records/s', consume, [clients[1]!.name, clients[0]!.name]));

    const shapes: TxShape[] = ['per-partition', 'single'];
    const loop = new Map<string, Run[]>();
    for (let i = 0; i < rounds; i++)
      for (const shape of shapes)
        for (const c of ordered(i)) {
          const label = `${c.name} ${shape}`;
          if (!loop.has(label)) loop.set(label, []);
          if (c.unsupported(shape)) continue;
          const groupId = `${d.applicationId}-tx-${i}-${shape}-${c.name.replace(/\W/g, '')}`;
          const before = await endTotal(admin, Object.values(tx));
          const r = await timed(total, async () => {
            const { transactions, offsetMs } = await c.transactional({
              groupId,
              topics: names,
              total,
              outputs: tx,
              shape,
              deadline: deadline(),
              ...TX,
            });
            return {
              detail: `${transactions} transactions for ${total} inputs, ${round(offsetMs / 1000)} s of it committing offsets`,
            };
          });
          const committed = await committedTotal(admin, groupId, names);
          const grown = (await endTotal(admin, Object.values(tx))) - before;
          if (committed !== total || grown < 2 * total)
            throw new Error(`${label}: committed ${committed} of ${total} offsets, wrote ${grown} records`);
          ctx.say(`kafka-clients transactional ${label}: ${round(rate(r))} inputs/s (${r.detail})`);
          loop.get(label)!.push(r);
        }
    for (const c of clients)
      for (const shape of shapes) {
        const why = c.unsupported(shape);
        if (why)
          figures.push({
            name: `transactional ${c.name} ${shape}`,
            value: null,
            unit: 'inputs/s',
            note: why,
            optional: true,
          });
      }
    figures.push(...phaseFigures('transactional', 'inputs/s', loop));
    const ratio = (a: string, b: string, name: string): void => {
      const ra = loop.get(a) ?? [];
      const rb = loop.get(b) ?? [];
      figures.push({
        name,
        value:
          ra.length && rb.length ? Math.round((mean(ra.map(rate)) / mean(rb.map(rate))) * 100) / 100 : null,
        unit: '×',
      });
    };
    ratio(
      '@platformatic/kafka single',
      'kafkajs single',
      'transactional ratio, same shape (single producer)',
    );
    ratio('@platformatic/kafka single', 'kafkajs per-partition', 'transactional ratio, adopted vs today');
    const [a, b] = clients.map((c) => c.name) as [string, string];
    const table = comparisonTable([
      ['produce (records)', produce.get(a)!, produce.get(b)!],
      ['consume (records)', consume.get(a)!, consume.get(b)!],
      ['transactional, single producer (inputs)', loop.get(`${a} single`)!, loop.get(`${b} single`)!],
      [
        'transactional, kafkajs per partition (today) vs single',
        loop.get(`${a} per-partition`)!,
        loop.get(`${b} single`)!,
      ],
    ]);
    process.stdout.write(`\n${table}\n${DECISION}\n`);
  } finally {
    await admin.disconnect();
    await d.cleanup();
  }
  return { bench: 'kafka-clients', setup, figures, seconds: 0 };
}
