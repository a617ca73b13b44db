import { bridgeTopics } from '../../bridge/kafka-topics';
import { topicNames, type TopicNames } from '../../shared/topics';
import { bridgeTestSetup, type BridgeTestSetup } from '../support/bridge-env';
import { testEnv, uniquePrefix } from '../support/env';
import { freePort } from '../support/free-port';
import { OwnKafkaBroker } from '../support/kafka-broker';
import { consumeUntil, createTopics, readAll, type ConsumedRecord } from '../support/kafka';
import { messageKey, MqttFleet, type FleetOptions, type FleetPayload } from '../support/mqtt-fleet';
import { MqttTap, type TappedAck } from '../support/mqtt-tap';
import { ProcessGroup, type ServiceProcess } from '../support/processes';
import { waitFor } from '../support/wait';

/**
 * Delivery guarantees of the bridge process (dist/bridge/main.js) between a real Mosquitto and a
 * real Kafka, with many devices: everything arrives, in per-device order; a SIGKILLed bridge loses
 * nothing a device was acknowledged; while Kafka is away the bridge acknowledges nothing, and
 * afterwards nothing is lost.
 *
 * The devices' PUBACKs come from Mosquitto; the bridge's PUBACKs go from the bridge to Mosquitto.
 * The tests watch the latter with an MQTT-aware TCP proxy (MqttTap) between bridge and broker, and
 * create their topics with LogAppendTime, so every record carries the moment Kafka appended it: a
 * bridge PUBACK that passed the tap before its message was appended would be a lost message if
 * the bridge then died.
 */
jest.setTimeout(300_000);

const PARTITIONS = 4;
const LOG_APPEND_TIME = { configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] };

const processes = new ProcessGroup();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await processes.stopAll();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface BridgeUnderTest {
  setup: BridgeTestSetup;
  names: TopicNames;
  kafkaBrokers: string[] | undefined;
  /** The tap between the bridge and Mosquitto, when asked for. */
  tap: MqttTap | undefined;
  /**
   * Starts dist/bridge/main.js (same client id, so a restart resumes the MQTT session) and waits
   * until it runs, or with `uplinkOnly` until the uplink is subscribed: after a SIGKILL the
   * downlink consumer waits for the dead member's Kafka session to expire (10 s) before the
   * bridge reports running, while the uplink works at once.
   */
  start(options?: { uplinkOnly?: boolean }): Promise<ServiceProcess>;
  /** The bridge's in-flight gauge from its /metrics. */
  inFlight(): Promise<number>;
  /** The status of the bridge's /healthz. */
  healthz(): Promise<number>;
  fleet(options: Pick<FleetOptions, 'perDevice' | 'ratePerSecond'>): Promise<MqttFleet>;
}

async function bridgeUnderTest(
  name: string,
  { tap: withTap = false, kafkaBrokers }: { tap?: boolean; kafkaBrokers?: string[] } = {},
): Promise<BridgeUnderTest> {
  const prefix = uniquePrefix(name);
  const tap = withTap ? await MqttTap.start(testEnv().mqttUrl) : undefined;
  if (tap) cleanups.push(() => tap.close());
  const setup = bridgeTestSetup(prefix, { kafkaBrokers, mqttUrl: tap?.url });
  const names = topicNames({ topicPrefix: prefix });
  await createTopics(bridgeTopics(names), PARTITIONS, LOG_APPEND_TIME, kafkaBrokers);
  const httpPort = await freePort();
  return {
    setup,
    names,
    kafkaBrokers,
    tap,
    start: async ({ uplinkOnly = false } = {}) => {
      const env = { ...setup.env, LOG_LEVEL: 'info', BRIDGE_HTTP_PORT: String(httpPort) };
      const bridge = processes.spawn('bridge/main.js', env, `bridge-${name}`);
      await bridge.waitForLine(uplinkOnly ? /"msg":"subscribed"/ : /"bridge running"/);
      return bridge;
    },
    inFlight: async () => {
      const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      return Number(/^twinfold_bridge_in_flight (\d+)/m.exec(text)?.[1] ?? NaN);
    },
    healthz: async () => (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status,
    fleet: async (options) => {
      const fleet = new MqttFleet({
        mqttUrl: testEnv().mqttUrl,
        connections: 10,
        deviceIds: [...Array(100).keys()].map((i) => `dev-${String(i).padStart(3, '0')}`),
        topic: (id) => `${setup.root}/${id}/telemetry`,
        ...options,
      });
      cleanups.push(() => fleet.close());
      await fleet.connect(setup.clientId);
      return fleet;
    },
  };
}

/** One telemetry record as the fleet sent it, with the time Kafka appended it. */
interface Delivered {
  key: string;
  deviceId: string;
  seq: number;
  sentAt: number;
  appendedAt: number;
}

function delivered(r: ConsumedRecord): Delivered {
  const { seq, sentAt } = JSON.parse(r.value!.toString('utf8')) as FleetPayload;
  return { key: messageKey(r.key!, seq), deviceId: r.key!, seq, sentAt, appendedAt: Number(r.timestamp) };
}

/** The fleet's message key of a message the bridge acknowledged (device id from the topic). */
function ackKey(ack: TappedAck): string {
  const deviceId = ack.topic.split('/').at(-2)!;
  return messageKey(deviceId, (JSON.parse(ack.payload.toString('utf8')) as FleetPayload).seq);
}

interface Analysis {
  /** Earliest append time of each message. */
  firstAppend: Map<string, number>;
  duplicates: number;
  /** Per device, the sequence numbers in the order of their first appearance in Kafka. */
  firstSeen: Map<string, number[]>;
}

/** Records are in partition order; a device's records are all in one partition. */
function analyse(records: readonly Delivered[]): Analysis {
  const firstAppend = new Map<string, number>();
  const firstSeen = new Map<string, number[]>();
  for (const r of records) {
    const seen = firstAppend.get(r.key);
    if (seen !== undefined) {
      firstAppend.set(r.key, Math.min(seen, r.appendedAt));
      continue;
    }
    firstAppend.set(r.key, r.appendedAt);
    let seqs = firstSeen.get(r.deviceId);
    if (!seqs) firstSeen.set(r.deviceId, (seqs = []));
    seqs.push(r.seq);
  }
  return { firstAppend, duplicates: records.length - firstAppend.size, firstSeen };
}

/** Every device's messages 0 .. perDevice-1, each first seen in sequence order. */
function expectAllInOrder(a: Analysis, fleetSize: number, perDevice: number): void {
  expect(a.firstSeen.size).toBe(fleetSize);
  const inOrder = [...Array(perDevice).keys()];
  for (const [deviceId, seqs] of a.firstSeen) expect({ deviceId, seqs }).toEqual({ deviceId, seqs: inOrder });
}

/** Everything a device was acknowledged (by the broker) reached Kafka. */
function expectAllAckedInKafka(fleet: MqttFleet, a: Analysis): void {
  const lost = [...fleet.acked.keys()].filter((key) => !a.firstAppend.has(key));
  expect({ lost: lost.length, examples: lost.slice(0, 5) }).toEqual({ lost: 0, examples: [] });
}

/** Every acknowledgement the bridge sent is for a message Kafka had appended by then. */
function expectAcksAfterAppend(acks: readonly TappedAck[], firstAppend: ReadonlyMap<string, number>): void {
  const early = acks.filter((ack) => !((firstAppend.get(ackKey(ack)) ?? Infinity) <= ack.at));
  expect(early.map(ackKey)).toEqual([]);
}

/** Reads the topic until every key of `keys` is there; returns what it read. */
async function consumeKeys(
  t: BridgeUnderTest,
  keys: Iterable<string>,
  timeoutMs = 180_000,
): Promise<Delivered[]> {
  const missing = new Set(keys);
  let scanned = 0;
  const records = await consumeUntil(
    [t.names.telemetry],
    (rs) => {
      for (; scanned < rs.length; scanned++) missing.delete(delivered(rs[scanned]!).key);
      return missing.size === 0;
    },
    { timeoutMs, brokers: t.kafkaBrokers },
  );
  return records.map(delivered);
}

/**
 * Waits until the broker has nothing more for the bridge (everything it sent was acknowledged and
 * nothing new came for 2 s) and the bridge holds nothing unwritten, then reads the whole topic.
 * Lost messages show as missing here rather than as a timeout.
 */
async function settledRecords(t: BridgeUnderTest): Promise<Delivered[]> {
  const tap = t.tap!;
  let lastDelivered = -1;
  let quietSince = Date.now();
  await waitFor(
    'the bridge to acknowledge everything the broker sent it',
    async () => {
      if (tap.delivered !== lastDelivered || tap.unacked > 0) {
        lastDelivered = tap.delivered;
        quietSince = Date.now();
        return false;
      }
      return Date.now() - quietSince >= 2000 && (await t.inFlight()) === 0;
    },
    { timeoutMs: 180_000, intervalMs: 200 },
  );
  return (await readAll([t.names.telemetry], { brokers: t.kafkaBrokers })).map(delivered);
}

/**
 * After a fleet published everything and the bridge settled: every message a device was
 * acknowledged (by the broker) is in Kafka, at least once, each device's first seen in order; and
 * everything the bridge acknowledged (through the tap) was in Kafka by then.
 */
async function expectDelivered(
  t: BridgeUnderTest,
  fleet: MqttFleet,
  perDevice: number,
): Promise<{ records: Delivered[]; a: Analysis }> {
  expect(fleet.acked.size).toBe(fleet.total);
  const records = await settledRecords(t);
  const a = analyse(records);
  expectAllAckedInKafka(fleet, a);
  expectAllInOrder(a, fleet.deviceCount, perDevice);
  expectAcksAfterAppend(t.tap!.acks, a.firstAppend);
  return { records, a };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function latencySummary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted.at(-1)} ms`;
}

function report(lines: string[]): void {
  process.stderr.write(`${lines.map((l) => `[bridge-delivery] ${l}`).join('\n')}\n`);
}

describe('bridge delivery (bridge process, real Mosquitto and Kafka)', () => {
  it('delivers 50,000 QoS 1 messages from 100 devices on 10 connections, each device in order', async () => {
    const t = await bridgeUnderTest('delivery-50k');
    await t.start();
    const perDevice = 500;
    const fleet = await t.fleet({ perDevice });
    const began = Date.now();
    await fleet.run();
    const published = Date.now();
    expect(fleet.acked.size).toBe(50_000);

    const records = await consumeKeys(t, fleet.acked.keys());
    const a = analyse(records);
    expect(a.duplicates).toBe(0);
    expectAllInOrder(a, 100, perDevice);

    const first = records.reduce((min, r) => Math.min(min, r.appendedAt), Infinity);
    const last = records.reduce((max, r) => Math.max(max, r.appendedAt), 0);
    report([
      `50,000 messages: published in ${published - began} ms; first append +${first - began} ms, last +${last - began} ms`,
      `throughput: ${Math.round(50_000 / ((last - began) / 1000))} msgs/s publish-to-last-append, ` +
        `${Math.round(50_000 / ((last - first) / 1000))} msgs/s first-to-last-append`,
      `publish -> appended to Kafka under this burst: ${latencySummary(records.map((r) => r.appendedAt - r.sentAt))}`,
    ]);
  });

  it('measures publish -> Kafka -> bridge PUBACK latency at a steady 1,000 msgs/s', async () => {
    const t = await bridgeUnderTest('delivery-latency', { tap: true });
    await t.start();
    const perDevice = 60;
    const fleet = await t.fleet({ perDevice, ratePerSecond: 1000 });
    await fleet.run();
    const records = await consumeKeys(t, fleet.acked.keys());
    await waitFor('every message acknowledged by the bridge', () => t.tap!.acks.length >= 6000);
    const a = analyse(records);
    expect(a.duplicates).toBe(0);
    expectAllInOrder(a, 100, perDevice);
    expectAcksAfterAppend(t.tap!.acks, a.firstAppend);

    const sentAt = new Map(records.map((r) => [r.key, r.sentAt]));
    report([
      `6,000 messages at 1,000 msgs/s; at most ${t.tap!.maxUnacked} sent to the bridge and not acknowledged at once`,
      `publish -> appended to Kafka: ${latencySummary(records.map((r) => r.appendedAt - r.sentAt))}`,
      `publish -> bridge PUBACK (after Kafka acknowledged): ${latencySummary(
        t.tap!.acks.map((ack) => ack.at - sentAt.get(ackKey(ack))!),
      )}`,
    ]);
  });

  it('loses nothing a device was acknowledged when the bridge is SIGKILLed mid-burst and restarted', async () => {
    const t = await bridgeUnderTest('delivery-kill', { tap: true });
    const tap = t.tap!;
    const first = await t.start();
    const perDevice = 300;
    const fleet = await t.fleet({ perDevice, ratePerSecond: 8000 });
    const publishing = fleet.run();

    await waitFor('the bridge to acknowledge 3,000 messages', () => tap.acks.length >= 3000, {
      timeoutMs: 60_000,
    });
    const unackedAtKill = tap.unacked;
    await first.kill('SIGKILL');
    const acksBeforeKill = tap.acks.length;
    const sentBeforeKill = fleet.sent;
    expect(sentBeforeKill).toBeLessThan(fleet.total); // the kill landed during the burst
    await t.start({ uplinkOnly: true });
    await publishing;
    const { records, a } = await expectDelivered(t, fleet, perDevice);
    report([
      `kill test: SIGKILL after ${acksBeforeKill} bridge PUBACKs, with ${unackedAtKill} messages sent to the ` +
        `bridge and not acknowledged; ${sentBeforeKill} of ${fleet.total} published; ` +
        `${records.length} records for ${a.firstAppend.size} messages: ${a.duplicates} duplicates`,
    ]);
  });

  it('acknowledges nothing while Kafka is down for 30 s, and loses nothing after it is back', async () => {
    const kafka = await OwnKafkaBroker.create();
    cleanups.push(() => kafka.destroy());
    await kafka.start();
    const t = await bridgeUnderTest('delivery-outage', { tap: true, kafkaBrokers: kafka.brokers });
    const tap = t.tap!;
    const bridge = await t.start();
    const perDevice = 150;
    const fleet = await t.fleet({ perDevice, ratePerSecond: 400 });
    const publishing = fleet.run();

    /** What the bridge acknowledged so far is all in Kafka (read to the end offsets after the snapshot). */
    const checkAckedInKafka = async (): Promise<number> => {
      const acked = tap.acks.map(ackKey);
      const inKafka = new Set(
        (await readAll([t.names.telemetry], { brokers: kafka.brokers })).map((r) => delivered(r).key),
      );
      expect(acked.filter((k) => !inKafka.has(k))).toEqual([]);
      return acked.length;
    };

    await waitFor('the bridge to acknowledge 1,000 messages', () => tap.acks.length >= 1000);
    await checkAckedInKafka();

    await kafka.stop();
    await new Promise((r) => setTimeout(r, 500)); // a produce response read just before the exit
    const acksAtOutage = tap.acks.length;
    const brokerAckedAtOutage = fleet.acked.size;
    const outageEnds = Date.now() + 30_000;
    let checks = 0;
    while (Date.now() < outageEnds) {
      await new Promise((r) => setTimeout(r, 2000));
      expect(tap.acks.length).toBe(acksAtOutage);
      expect(bridge.running).toBe(true);
      checks++;
    }
    const publishedDuringOutage = fleet.acked.size - brokerAckedAtOutage;
    expect(publishedDuringOutage).toBeGreaterThan(0); // devices went on publishing
    await kafka.start();

    await waitFor('the bridge to acknowledge again', () => tap.acks.length > acksAtOutage, {
      timeoutMs: 120_000,
    });
    await checkAckedInKafka();
    await publishing;
    const { records, a } = await expectDelivered(t, fleet, perDevice);
    expect(bridge.running).toBe(true);
    // The downlink consumer comes through the outage too: its 10 s session expired while Kafka was
    // away, so it re-joins its group first (healthy again within seconds, not at once).
    await waitFor('the bridge healthy again', async () => (await t.healthz()) === 200, { timeoutMs: 60_000 });
    report([
      `outage test: ${checks} checks during 30 s without Kafka, bridge PUBACKs stayed at ${acksAtOutage} ` +
        `(at most ${tap.maxUnacked} messages sent to the bridge and not acknowledged at once); ` +
        `devices published ${publishedDuringOutage} meanwhile; ${records.length} records for ` +
        `${a.firstAppend.size} messages: ${a.duplicates} duplicates`,
    ]);
  });
});
