import type { Message } from 'kafkajs';
import { httpRequest } from '../support/http-client';
import { produce, readAll } from '../support/kafka';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { isConsumed, QUIET_TIMERS, topicOf, waitUntilConsumed } from '../support/workload';

/**
 * A rule fires exactly once per crossing under exactly_once, across SIGKILLs of the service in
 * the middle of the stream: every expected firing is on device.events (read committed) once, and
 * the rule's firings over REST are the same set.
 */
jest.setTimeout(120_000);

const DEVICES = 200;
const ROUNDS = 4;
const PER_ROUND = 5;
const THRESHOLD = 50;

/** Reading n of device d: above the threshold every 7th step, so crossings are spread out. */
const level = (d: number, n: number): number => ((n + d) % 7 === 0 ? 60 : 10);

/** The rising edges of `level > THRESHOLD`, counted without the fold (cooldown 0). */
function expectedFirings(d: number): number {
  let count = 0;
  let above = false;
  for (let n = 0; n < ROUNDS * PER_ROUND; n++) {
    const now = level(d, n) > THRESHOLD;
    if (now && !above) count += 1;
    above = now;
  }
  return count;
}

describe('rules under SIGKILL (exactly_once)', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('neither loses nor repeats a firing', async () => {
    d = deployment('traits-crash', { ...QUIET_TIMERS, PARTITIONS: '4' });
    let service: ServiceInstance = await startService(d);
    const app = `${d.prefix}app`;
    const id = (i: number): string => `${d.prefix.replace(/[^A-Za-z0-9]/g, '')}-v${i}`;
    const rule = await httpRequest(service.url, 'PUT', '/api/v1/rules/open-valve', {
      body: {
        type: 'valve',
        when: { path: 'reported.level', op: 'gt', value: THRESHOLD },
        command: { action: 'open' },
      },
    });
    expect(rule.status).toBe(200);
    const registry = topicOf(d.prefix, 'registry');
    await produce(
      registry,
      Array.from({ length: DEVICES }, (_, i) => ({
        key: id(i),
        value: JSON.stringify({ op: 'create', type: 'valve' }),
      })),
    );
    await waitUntilConsumed(app, registry);

    // Readings carry their own times (a minute apart, in the past), so their order never rests on
    // two records sharing a broker timestamp.
    const telemetry = topicOf(d.prefix, 'telemetry');
    const start = Date.now() - 2 * 3600_000;
    let midStream = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const messages: Message[] = [];
      for (let k = 0; k < PER_ROUND; k++) {
        const n = round * PER_ROUND + k;
        for (let i = 0; i < DEVICES; i++)
          messages.push({
            key: id(i),
            value: JSON.stringify({ timestamp: start + n * 60_000, level: level(i, n) }),
          });
      }
      await produce(telemetry, messages);
      if (round < ROUNDS - 1) {
        await service.process.kill('SIGKILL');
        if (!(await isConsumed(app, telemetry))) midStream += 1;
        service = await startService(d);
      }
    }
    await waitUntilConsumed(app, telemetry);
    expect(midStream).toBeGreaterThanOrEqual(1);

    const events = await readAll([`${d.prefix}device.events`]);
    const fired = events
      .map(
        (r) =>
          JSON.parse(r.value!.toString('utf8')) as {
            type: string;
            deviceId: string;
            data: { commandId: string };
          },
      )
      .filter((e) => e.type === 'rule.fired');
    const commandIds = fired.map((e) => `${e.deviceId}/${e.data.commandId}`);
    expect(new Set(commandIds).size).toBe(commandIds.length);
    const perDevice = new Map<string, number>();
    for (const e of fired) perDevice.set(e.deviceId, (perDevice.get(e.deviceId) ?? 0) + 1);
    const wrong = Array.from({ length: DEVICES }, (_, i) => i).filter(
      (i) => (perDevice.get(id(i)) ?? 0) !== expectedFirings(i),
    );
    expect(wrong).toEqual([]);

    const list = await httpRequest(service.url, 'GET', '/api/v1/rules/open-valve/firings?limit=1000');
    const firings = (list.body as { data: { firings: { twinId: string; commandId: string }[] } }).data
      .firings;
    expect(firings.map((f) => `${f.twinId}/${f.commandId}`).sort()).toEqual([...commandIds].sort());
  });
});
