import { bridgeTestSetup } from '../bridge-env';
import { freePort } from '../free-port';
import { OwnKafkaBroker } from '../kafka-broker';
import { consumeUntil, createTopics } from '../kafka';
import { startTestMosquitto, type TestMosquitto } from '../mqtt-broker';
import { messageKey, MqttFleet, type FleetPayload } from '../mqtt-fleet';
import { deployment, type Deployment } from '../stack';
import { waitFor } from '../wait';
import { isConsumed, listAllTwins, QUIET_TIMERS, topicOf } from '../workload';
import { ChaosDriver, type FaultKind, type FaultRecord } from './chaos';
import { collect, observations, referenceProblems } from './collect';
import {
  longestUnavailable,
  memoryTrend,
  staleReads,
  statusCounts,
  type MemoryTrend,
} from './probe-analysis';
import { Probes, type ProbedInstance } from './probes';
import { Supervised, type ExitRecord } from './supervised';
import { verifySeqs, type SeqVerdict } from './verifier';

export interface SoakOptions {
  /** How long the devices publish. */
  durationMs: number;
  seed: number;
  plan: readonly FaultKind[];
  /** After the plan, keep picking faults at random until the devices stop. */
  randomAfter: boolean;
  intervalMs: readonly [number, number];
  devices: number;
  ratePerSecond: number;
  log: (line: string) => void;
}

export interface SoakReport {
  problems: string[];
  sent: number;
  seqs: SeqVerdict;
  faults: FaultRecord[];
  exits: ExitRecord[];
  longest503: { twin: string; ms: number };
  answers: Record<string, number>;
  rss: MemoryTrend[];
  heap: MemoryTrend[];
  wallMs: number;
}

const INSTANCES = ['a', 'b', 'c'];
const PROBED_TWINS = 4;

/** Everything one soak started, so `finally` can stop all of it whatever failed. */
interface Parts {
  kafka?: OwnKafkaBroker;
  mosquitto?: TestMosquitto;
  d?: Deployment;
  supervised: Supervised[];
  fleet?: MqttFleet;
  probes?: Probes;
  chaos?: ChaosDriver;
}

/**
 * The whole stack under steady QoS 1 load with faults injected (chaos.ts), then the verifier
 * (verifier.ts, collect.ts): a Kafka broker of its own (stopped and restarted by the faults), a
 * Mosquitto of its own with the shipped configuration, the bridge and three service instances,
 * each restarted when it exits as npm start's supervisor would.
 */
export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const began = Date.now();
  const parts: Parts = { supervised: [] };
  try {
    return await soak(o, parts, began);
  } finally {
    parts.chaos?.cancel();
    await parts.probes?.stop();
    await parts.fleet?.close();
    await Promise.all(parts.supervised.map((s) => s.stop()));
    await parts.d?.cleanup();
    await parts.mosquitto?.stop().catch(() => undefined);
    await parts.kafka?.destroy();
  }
}

async function soak(o: SoakOptions, parts: Parts, began: number): Promise<SoakReport> {
  const kafka = (parts.kafka = await OwnKafkaBroker.create());
  await kafka.start();
  const mosquitto = (parts.mosquitto = await startTestMosquitto('open'));
  const brokers = { KAFKA_BROKERS: kafka.brokers.join(','), MQTT_URL: mosquitto.url };
  const d = (parts.d = deployment('soak', { ...brokers, ...QUIET_TIMERS, PARTITIONS: '6' }));
  // device.twins is compacted (the latest document per twin); the verifier needs every version
  // published, so this run creates it first without compaction (the service keeps an existing one).
  await createTopics(
    [`${d.prefix}device.twins`],
    6,
    { configEntries: [{ name: 'cleanup.policy', value: 'delete' }] },
    kafka.brokers,
  );
  const instances: ProbedInstance[] = [];
  for (const name of INSTANCES) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...d.env,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      ADVERTISED_URL: url,
      STATE_DIR: d.stateDir(name),
    };
    const s = new Supervised(`service-${name}`, () =>
      d.processes.spawn('api/main.js', env, `soak-service-${name}`),
    );
    parts.supervised.push(s);
    instances.push({ name: s.name, url, process: s });
  }
  // Ready, whichever run of the process answers (one that exits while starting is restarted).
  const ready = async (url: string): Promise<boolean> =>
    (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) })).ok;
  const waitReady = (what: string, url: string): Promise<boolean> =>
    waitFor(`${what} to be ready`, () => ready(url), { timeoutMs: 120_000, intervalMs: 250 });
  for (const i of instances) await waitReady(i.name, i.url);

  const setup = bridgeTestSetup(d.prefix, { kafkaBrokers: kafka.brokers, mqttUrl: mosquitto.url });
  const bridgeUrl = `http://127.0.0.1:${await freePort()}`;
  const bridgeEnv = { ...setup.env, LOG_LEVEL: 'info', BRIDGE_HTTP_PORT: new URL(bridgeUrl).port };
  const bridge = new Supervised('bridge', () =>
    d.processes.spawn('bridge/main.js', bridgeEnv, 'soak-bridge'),
  );
  parts.supervised.push(bridge);
  await waitReady('the bridge', bridgeUrl);

  const deviceIds = [...Array(o.devices).keys()].map((i) => `soak-${String(i).padStart(3, '0')}`);
  const fleet = (parts.fleet = new MqttFleet({
    mqttUrl: mosquitto.url,
    connections: 4,
    deviceIds,
    perDevice: Math.max(1, Math.round((o.ratePerSecond * o.durationMs) / 1000 / o.devices)),
    ratePerSecond: o.ratePerSecond,
    topic: (id) => `${setup.root}/${id}/telemetry`,
    deviceTimestamp: true,
  }));
  await fleet.connect(setup.clientId);
  const healthy = async (): Promise<boolean> =>
    (await Promise.all([...instances.map((i) => ready(i.url)), ready(bridgeUrl)])).every(Boolean);

  const runStart = Date.now();
  o.log(`stack up in ${((runStart - began) / 1000).toFixed(1)} s; ${fleet.total} messages to publish`);
  const probed = deviceIds.slice(0, PROBED_TWINS);
  const probes = (parts.probes = new Probes(instances, probed));
  /** Per probed device, the newest seq acknowledged to it by `sinceMs`; then whether the twins show it. */
  const caughtUp = (sinceMs: number): (() => boolean) => {
    const targets = new Map(probed.map((id) => [id, -1]));
    for (const [key, at] of fleet.acked) {
      const cut = key.lastIndexOf(':');
      const id = key.slice(0, cut);
      const seq = Number(key.slice(cut + 1));
      if (at <= sinceMs && seq > (targets.get(id) ?? Infinity)) targets.set(id, seq);
    }
    return () => [...targets].every(([id, seq]) => (probes.newestSeq(id, sinceMs) ?? -1) >= seq);
  };
  const chaos = (parts.chaos = new ChaosDriver(
    { services: instances.map((i) => i.process), bridge, kafka, healthy, caughtUp },
    {
      seed: o.seed,
      plan: o.plan,
      randomAfter: o.randomAfter,
      intervalMs: o.intervalMs,
      lastFaultBy: runStart + o.durationMs - o.intervalMs[0],
      pauseMs: 15_000,
      outageMs: 20_000,
      log: o.log,
    },
  ));
  await Promise.all([fleet.run(), chaos.run()]);
  const runEnd = Date.now();
  o.log(`devices done: ${fleet.acked.size} of ${fleet.sent} acknowledged; settling`);

  await waitFor('the stack healthy after the last fault', healthy, { timeoutMs: 240_000, intervalMs: 500 });
  const telemetryTopic = topicOf(d.prefix, 'telemetry');
  const missing = new Set(fleet.acked.keys());
  await consumeUntil(
    [telemetryTopic],
    (records) => {
      for (const r of records)
        missing.delete(messageKey(r.key!, (JSON.parse(r.value!.toString()) as FleetPayload).seq));
      return missing.size === 0;
    },
    { timeoutMs: 240_000, brokers: kafka.brokers },
  ).catch(() => undefined); // what is still missing then is reported as lost by the verifier
  const applicationId = `${d.prefix}app`;
  await waitFor(
    'the processors to consume device.telemetry',
    () => isConsumed(applicationId, telemetryTopic, kafka.brokers),
    {
      timeoutMs: 240_000,
      intervalMs: 500,
    },
  );
  await probes.stop();
  const { answers, rss } = probes;

  const collected = await collect(
    { telemetry: telemetryTopic, twins: `${d.prefix}device.twins` },
    kafka.brokers,
  );
  const seqs = verifySeqs(observations(fleet.acked.keys(), collected));
  const listed = new Map((await listAllTwins(instances[0]!.url)).map((t) => [t.id, t]));
  const faults = chaos.faults;
  const problems = [
    ...seqs.problems,
    ...referenceProblems(collected, listed),
    ...staleReads(answers),
    ...faults
      .filter((f) => f.recoveredAfterMs === undefined)
      .map((f) => `${f.kind} ${f.target}: never recovered`),
  ];
  if (fleet.acked.size !== fleet.total)
    problems.push(`${fleet.total - fleet.acked.size} publications never acknowledged`);
  return {
    problems,
    sent: fleet.sent,
    seqs,
    faults,
    exits: parts.supervised.flatMap((s) => s.exits),
    longest503: longestUnavailable(answers),
    answers: statusCounts(answers),
    rss: memoryTrend(rss, { startMs: runStart, endMs: runEnd }),
    heap: memoryTrend(probes.heap, { startMs: runStart, endMs: runEnd }),
    wallMs: Date.now() - began,
  };
}
