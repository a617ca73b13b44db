import type { TwinDocument } from '../../api/twin-document';
import { api, AUTH_ENV, dataOf, listAll, waitForOwnership } from '../support/api-cluster';
import type { HttpAnswer } from '../support/http-client';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';
import { checkedReference, generateWorkload, QUIET_TIMERS, runRounds } from '../support/workload';

interface Tally {
  ok: number;
  notReady: number;
  wrong: string[];
}

/**
 * A forced rebalance under read load: an instance joins, one leaves, one crashes, while a loop of
 * reads hits every live instance. The data does not change meanwhile, so every answer must be the
 * reference document (or the complete reference list) or a 503 with Retry-After: never a stale,
 * partial or otherwise wrong answer presented as right.
 */
describe('query API during a rebalance', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('answers every read correctly or with 503 + Retry-After while instances join, leave and crash', async () => {
    d = deployment('api-rebalance', { ...QUIET_TIMERS, ...AUTH_ENV, PARTITIONS: '6' });
    const first = await Promise.all(['a', 'b', 'c'].map((name) => startService(d, name)));
    const rounds = generateWorkload({ seed: 11, devices: 200, records: 2000, idPrefix: 'rr-' });
    await runRounds(d.prefix, `${d.prefix}app`, rounds);
    const reference = checkedReference(rounds);
    const ids = [...reference.keys()];
    const expectedList = JSON.stringify([...reference.values()].sort((a, b) => (a.id < b.id ? -1 : 1)));
    await waitForOwnership(first);

    let live: ServiceInstance[] = [...first];
    const tally: Tally = { ok: 0, notReady: 0, wrong: [] };
    const judge = (what: string, answer: HttpAnswer, expected: string): void => {
      if (answer.status === 200 && JSON.stringify(dataOf(answer)) === expected) tally.ok += 1;
      else if (answer.status === 503 && Number(answer.headers['retry-after']) > 0) tally.notReady += 1;
      else tally.wrong.push(`${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
    };
    let running = true;
    const inFlight = new Map<ServiceInstance, number>();
    const send = async (target: ServiceInstance, path: string): Promise<HttpAnswer | undefined> => {
      inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
      try {
        return await api(target.url, 'GET', path);
      } catch (err) {
        tally.wrong.push(`${path} from ${target.url}: ${(err as Error).message}`);
        return undefined;
      } finally {
        inFlight.set(target, inFlight.get(target)! - 1);
      }
    };
    /** Takes an instance out of the readers' rotation and waits for our requests to it to finish. */
    const withdraw = async (target: ServiceInstance): Promise<void> => {
      live = live.filter((s) => s !== target);
      await waitFor(`requests to ${target.url} to finish`, () => (inFlight.get(target) ?? 0) === 0);
    };
    const reader = async (worker: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const target = live[(worker + i) % live.length]!;
        if (i % 25 === 0) {
          const list = await send(target, '/api/v1/twins?limit=1000');
          const twins = list?.status === 200 ? dataOf<{ twins: TwinDocument[] }>(list).twins : undefined;
          if (list)
            judge(`list from ${target.url}`, twins ? { ...list, body: { data: twins } } : list, expectedList);
        } else {
          const id = ids[(worker * 7919 + i * 31) % ids.length]!;
          const answer = await send(target, `/api/v1/twins/${id}`);
          if (answer) judge(`${id} from ${target.url}`, answer, JSON.stringify(reference.get(id)));
        }
      }
    };
    const readers = Promise.all([0, 1, 2, 3].map(reader));

    // Join: d takes partitions from the others.
    const joined = await startService(d, 'd');
    live = [...live, joined];
    await waitForOwnership(live);
    const afterJoin = { ...tally };
    // Leave: c stops (SIGTERM); clients stop sending to it first, as a load balancer would.
    const leaving = first[2]!;
    await withdraw(leaving);
    await leaving.process.kill('SIGTERM');
    await waitForOwnership(live);
    // Crash: b dies without leaving; the map names it until its session times out (10 s), so
    // reads forwarded to it meet a refused connection meanwhile and must answer 503.
    const crashed = first[1]!;
    await withdraw(crashed);
    await crashed.process.kill('SIGKILL');
    await waitForOwnership(live);
    await new Promise((r) => setTimeout(r, 1000));
    running = false;
    await readers;

    expect(tally.wrong).toEqual([]);
    expect(afterJoin.ok).toBeGreaterThan(0);
    expect(tally.ok).toBeGreaterThan(afterJoin.ok);
    // Settled again: every instance answers everything, no 503.
    for (const s of live) {
      expect(JSON.stringify(await listAll(s.url, 1000))).toBe(expectedList);
      for (const id of ids.slice(0, 40)) {
        expect(JSON.stringify(dataOf(await api(s.url, 'GET', `/api/v1/twins/${id}`)))).toBe(
          JSON.stringify(reference.get(id)),
        );
      }
    }
    process.stderr.write(`[api-rebalance] ${tally.ok} correct answers, ${tally.notReady} 503s\n`);
  });
});
