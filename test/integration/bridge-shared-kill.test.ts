import { bridgeTopics } from '../../bridge/kafka-topics';
import { topicNames } from '../../shared/topics';
import { bridgeTestSetup } from '../support/bridge-env';
import { testEnv, uniquePrefix } from '../support/env';
import { consumeUntil, createTopics, readAll, type ConsumedRecord } from '../support/kafka';
import { messageKey, MqttFleet, type FleetPayload } from '../support/mqtt-fleet';
import { ProcessGroup } from '../support/processes';
import { waitFor } from '../support/wait';

/**
 * Two bridge processes on one MQTT 5 shared subscription ($share/<group>/...), one SIGKILLed while
 * 100 devices publish QoS 1: nothing a device saw acknowledged is lost (compared with
 * device.telemetry once the killed bridge is back). It also measures how much kept flowing
 * through the surviving bridge while the other was down: Mosquitto 2.0 keeps handing the dead
 * member its share of the messages (its persistent session queues them), so those wait for it.
 */
jest.setTimeout(300_000);

const processes = new ProcessGroup();
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await processes.stopAll();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const keyOf = (r: ConsumedRecord): string =>
  messageKey(r.key!, (JSON.parse(r.value!.toString('utf8')) as FleetPayload).seq);

describe('two bridges on a shared subscription', () => {
  it('lose nothing a device was acknowledged when one is SIGKILLed mid-stream', async () => {
    const prefix = uniquePrefix('shared-kill');
    const setup = bridgeTestSetup(prefix);
    const names = topicNames({ topicPrefix: prefix });
    await createTopics(bridgeTopics(names), 4);
    const start = async (member: 'a' | 'b') => {
      const env = {
        ...setup.env,
        LOG_LEVEL: 'info',
        BRIDGE_HTTP_PORT: '0',
        BRIDGE_SHARED_GROUP: 'bridges',
        BRIDGE_CLIENT_ID: `${setup.clientId}-${member}`,
        BRIDGE_STATUS_TOPIC: `${setup.statusTopic}-${member}`,
      };
      const p = processes.spawn('bridge/main.js', env, `bridge-shared-${member}`);
      await p.waitForLine(/"msg":"subscribed"/);
      return p;
    };
    const a = await start('a');
    await start('b');

    const fleet = new MqttFleet({
      mqttUrl: testEnv().mqttUrl,
      connections: 10,
      deviceIds: [...Array(100).keys()].map((i) => `sk-${String(i).padStart(3, '0')}`),
      perDevice: 60,
      ratePerSecond: 600,
      topic: (id) => `${setup.root}/${id}/telemetry`,
    });
    cleanups.push(() => fleet.close());
    await fleet.connect(setup.clientId);
    const publishing = fleet.run();

    await waitFor('1,000 messages acknowledged to the devices', () => fleet.acked.size >= 1000, {
      timeoutMs: 60_000,
    });
    await a.kill('SIGKILL');
    const ackedAtKill = new Set(fleet.acked.keys());
    await publishing;
    expect(ackedAtKill.size).toBeLessThan(fleet.total); // the kill landed mid-stream
    const ackedWhileDown = [...fleet.acked.keys()].filter((k) => !ackedAtKill.has(k));

    // What the surviving bridge delivered while the other was down: read until it stops growing.
    let before = -1;
    let inKafka = new Set<string>();
    await waitFor(
      'the surviving bridge to go quiet',
      async () => {
        inKafka = new Set((await readAll([names.telemetry])).map(keyOf));
        const quiet = inKafka.size === before;
        before = inKafka.size;
        return quiet;
      },
      { timeoutMs: 120_000, intervalMs: 2000 },
    );
    const flowed = ackedWhileDown.filter((k) => inKafka.has(k)).length;

    await start('a'); // same client id: its persistent session, and what was queued in it
    const missing = new Set(fleet.acked.keys());
    await consumeUntil(
      [names.telemetry],
      (records) => {
        for (const r of records) missing.delete(keyOf(r));
        return missing.size === 0;
      },
      { timeoutMs: 120_000 },
    ).catch((err: Error) => {
      throw new Error(`${missing.size} acknowledged messages never reached Kafka (${err.message})`);
    });
    process.stderr.write(
      `[bridge-shared-kill] ${fleet.acked.size} messages acknowledged to devices, all in Kafka after the ` +
        `restart; of the ${ackedWhileDown.length} published while one bridge was down, ${flowed} ` +
        `(${Math.round((100 * flowed) / Math.max(1, ackedWhileDown.length))}%) reached Kafka through the ` +
        'other before it came back\n',
    );
  });
});
