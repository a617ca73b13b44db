import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { printSetup, type BenchResult } from './report';
import { deployment, startService, type Service } from './support/deployment';
import { benchKafka } from './support/kafka';
import { waitUntil } from './support/ports';
import { RawWsClient } from './ws-raw-client';
import { round } from './stats';

const DEVICE = 'ws-fanout-1';
const CONNECT_BATCH = 50;
const ROUNDS = 2;
const SUBSCRIBED = 's'.charCodeAt(0);
const TWIN_UPDATE = 't'.charCodeAt(0);

/** One subscriber of a fan-out round: how many updates it got, and when the last one came. */
interface Subscriber {
  received: number;
  lastAt: number;
  close(): void;
}

/** CPU seconds (user + system) a process has used: /proc/<pid>/stat, in clock ticks of 1/100 s. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Round {
  /** The service's CPU time per 1000 deliveries, ms (processing the updates included). */
  cpuMsPer1000: number;
  /** The benchmark's clients' CPU time per 1000 deliveries, ms. */
  clientMsPer1000: number;
  /** Updates delivered per second over all subscribers: updates x subscribers / delivery window. */
  rate: number;
  /** First to last delivery, s. */
  seconds: number;
  /** Deliveries missing (or extra) against updates x subscribers. */
  off: number;
}

/** A WebSocket subscriber of the twin; counts twin_update messages without parsing them (twin_deleted: none here). */
async function wsSubscriber(url: string, onFirst: () => void): Promise<Subscriber> {
  const s: Subscriber = { received: 0, lastAt: 0, close: () => undefined };
  let subscribed: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  // `{"type":"` is 9 bytes: the 10th tells subscribed from twin_update without decoding the rest.
  const client = await RawWsClient.open(url, '/ws', (payload) => {
    if (payload[9] === SUBSCRIBED) subscribed();
    else if (payload[9] === TWIN_UPDATE) {
      if (s.received === 0) onFirst();
      s.received += 1;
      s.lastAt = performance.now();
    }
  });
  s.close = () => client.close();
  client.send(JSON.stringify({ action: 'subscribe', twin_id: DEVICE }));
  await ready;
  return s;
}

/** A Server-Sent Events subscriber of the twin's stream; counts `event: twin` blocks. */
function sseSubscriber(url: string, onFirst: () => void): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/twins/${DEVICE}/events`, { agent: false });
    const s: Subscriber = { received: 0, lastAt: 0, close: () => req.destroy() };
    req.once('error', reject);
    req.once('response', (res) => {
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const blocks = (rest + chunk).split('\n\n');
        rest = blocks.pop()!;
        for (const block of blocks) {
          if (!block.includes('\nevent: twin\n')) continue;
          if (s.received === 0) onFirst();
          s.received += 1;
          s.lastAt = performance.now();
        }
      });
      resolve(s);
    });
    req.end();
  });
}

/**
 * One round: `subscribers` clients on the twin, then `updates` telemetry records of it straight
 * into device.telemetry; waits until every client got every update.
 */
async function fanOutRound(
  ctx: BenchContext,
  service: Service,
  prefix: string,
  connect: (url: string, onFirst: () => void) => Promise<Subscriber>,
  subscribers: number,
  updates: number,
): Promise<Round> {
  let firstAt = 0;
  const onFirst = (): void => {
    if (firstAt === 0) firstAt = performance.now();
  };
  const clients: Subscriber[] = [];
  const producer = benchKafka(ctx.brokers.kafka, `${ctx.runId}-ws-producer`).producer();
  try {
    for (let i = 0; i < subscribers; i += CONNECT_BATCH) {
      const batch = Math.min(CONNECT_BATCH, subscribers - i);
      clients.push(
        ...(await Promise.all(Array.from({ length: batch }, () => connect(service.url, onFirst)))),
      );
    }
    await producer.connect();
    const cpuBefore = cpuSeconds(service.process.pid);
    const clientBefore = process.cpuUsage();
    const now = Date.now();
    const messages = Array.from({ length: updates }, (_, seq) => ({
      key: DEVICE,
      value: JSON.stringify({ timestamp: new Date(now + seq).toISOString(), data: { seq } }),
    }));
    await producer.send({ topic: topicNames({ topicPrefix: prefix }).telemetry, messages });
    const expected = updates * subscribers;
    const total = (): number => clients.reduce((sum, c) => sum + c.received, 0);
    await waitUntil(`${expected} deliveries`, () => total() >= expected, 180_000, 20);
    const lastAt = Math.max(...clients.map((c) => c.lastAt));
    // At least 1 ms: a tiny round may arrive within one clock tick.
    const seconds = Math.max(lastAt - firstAt, 1) / 1000;
    const cpuMsPer1000 = ((cpuSeconds(service.process.pid) - cpuBefore) * 1000 * 1000) / expected;
    const client = process.cpuUsage(clientBefore);
    const clientMsPer1000 = ((client.user + client.system) / 1000 / expected) * 1000;
    return { rate: expected / seconds, seconds, off: total() - expected, cpuMsPer1000, clientMsPer1000 };
  } finally {
    for (const c of clients) c.close();
    await producer.disconnect();
  }
}

/**
 * ws fan-out: one twin updated `updates` times while `subscribers` WebSocket clients subscribe to
 * it; the figure is deliveries per second (updates x subscribers / first to last delivery). The
 * same round over Server-Sent Events in the same run is the alternative it is compared with.
 * Missing or extra deliveries are reported (every client must get every update once).
 */
export async function wsBench(ctx: BenchContext): Promise<BenchResult> {
  const subscribers = ctx.quick ? 10 : 500;
  const updates = ctx.quick ? 10 : 200;
  const limit = String(subscribers + 10);
  const d = deployment(ctx, 'ws', { WS_MAX_CONNECTIONS: limit, SSE_MAX_STREAMS: limit });
  const setup = {
    ...ctx.versions,
    pipeline: 'device.telemetry -> service -> device.twins -> the same instance -> subscribers',
    subscribers,
    'updates per round': updates,
    clients:
      'one process, a minimal WebSocket client (bench/ws-raw-client.ts) / node:http, messages counted without parsing',
  };
  printSetup('websocket fan-out', setup);
  try {
    const service = await startService(ctx, d, { profile: ctx.profile.has('ws') });
    // Alternating rounds, the better of each: neither protocol gets all the warm-up.
    const rounds: { ws: Round[]; sse: Round[] } = { ws: [], sse: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const [name, connect] of [
        ['ws', wsSubscriber],
        ['sse', sseSubscriber],
      ] as const) {
        const r = await fanOutRound(ctx, service, d.prefix, connect, subscribers, updates);
        ctx.say(
          `${name} fan-out: ${round(r.rate)} deliveries/s over ${round(r.seconds)} s, CPU per 1000: service ${round(r.cpuMsPer1000)} ms, clients ${round(r.clientMsPer1000)} ms`,
        );
        rounds[name].push(r);
      }
    }
    const best = (list: Round[]): Round => list.reduce((a, b) => (b.rate > a.rate ? b : a));
    const [ws, sse] = [best(rounds.ws), best(rounds.sse)];
    return {
      bench: 'websocket fan-out',
      setup,
      figures: [
        {
          name: `WebSocket, updates/s to ${subscribers} subscribers`,
          value: round(ws.rate),
          unit: 'updates/s',
          note: `best of ${ROUNDS}: ${updates} x ${subscribers} in ${round(ws.seconds)} s; ${ws.off} missing or extra`,
        },
        {
          name: `SSE, updates/s to ${subscribers} subscribers`,
          value: round(sse.rate),
          unit: 'updates/s',
          note: `best of ${ROUNDS}: ${updates} x ${subscribers} in ${round(sse.seconds)} s; ${sse.off} missing or extra`,
        },
        { name: 'WebSocket / SSE', value: round(ws.rate / sse.rate), unit: 'x' },
        {
          name: 'service CPU per 1000 deliveries, WebSocket',
          value: round(ws.cpuMsPer1000),
          unit: 'ms',
          note: `SSE: ${round(sse.cpuMsPer1000)} ms (folding the updates included)`,
        },
        {
          name: 'client CPU per 1000 deliveries, WebSocket',
          value: round(ws.clientMsPer1000),
          unit: 'ms',
          note: `SSE: ${round(sse.clientMsPer1000)} ms; the clients share the cores with the service`,
        },
      ],
      seconds: 0,
    };
  } finally {
    await d.cleanup();
  }
}
