import { api, dataOf, waitForOwnership } from '../support/api-cluster';
import { freePort } from '../support/free-port';
import type { HttpAnswer } from '../support/http-client';
import { readAll } from '../support/kafka';
import { deployment, waitForReady, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';
import {
  checkedReference,
  expectEqualToReference,
  generateWorkload,
  QUIET_TIMERS,
  runRounds,
  type Round,
} from '../support/workload';

jest.setTimeout(600_000);

/**
 * A rolling restart as a StatefulSet does it: instances twinfold-0..2 with stable URLs and a state
 * dir each, restarted one at a time from the highest ordinal (SIGTERM, wait for the exit, start the
 * same instance again, wait until the group has settled). Meanwhile records keep arriving and
 * readers keep asking the instances that are up (a load balancer takes the stopping one out first).
 * Every answer must be right or a 503 with Retry-After: a twin that no longer changes must be its
 * reference document; a twin still receiving records must be a document the processor committed to
 * device.twins (or 404 before it exists). At the end the stores and device.twins equal the
 * reference fold. Prints each restart's 503 window and whether stores caught up from their
 * checkpoint or were rebuilt from the changelog.
 */
interface Member extends ServiceInstance {
  name: string;
  port: number;
}

interface Phase {
  name: string;
  startedAt: number;
  ok: number;
  /** When each 503 came, in ms after the phase began (the SIGTERM). */
  notReady: number[];
}

/** 503 times merged into windows (a gap of more than 500 ms between answers ends one). */
function windows(times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const t of sorted) {
    const last = out.at(-1);
    if (last && t - last[1] <= 500) last[1] = t;
    else out.push([t, t]);
  }
  return out.length === 0 ? 'none' : out.map(([a, b]) => `${a}..${b} ms`).join(', ');
}

interface TaskLine {
  msg: string;
  partition?: number;
  checkpoint?: boolean;
  checkpointed?: boolean;
}

function taskLines(lines: readonly string[], msg: string, after?: string): TaskLine[] {
  const from = after === undefined ? 0 : lines.findIndex((l) => l.includes(`"msg":"${after}"`));
  return lines
    .slice(Math.max(0, from))
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as TaskLine)
    .filter((l) => l.msg === msg);
}

describe('rolling restart of three instances under load', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('answers correctly or 503 throughout and ends equal to the reference fold', async () => {
    d = deployment('rolling-restart', { ...QUIET_TIMERS, PARTITIONS: '6' });
    const applicationId = `${d.prefix}app`;
    /** Starts instance `name` on its own port and state dir, as a StatefulSet pod keeps both. */
    const launch = async (name: string, port: number): Promise<Member> => {
      const url = `http://127.0.0.1:${port}`;
      const process = d.processes.spawn(
        'api/main.js',
        {
          ...d.env,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(port),
          ADVERTISED_URL: url,
          STATE_DIR: d.stateDir(name),
        },
        name,
      );
      await waitForReady(process, url);
      return { name, port, url, process };
    };
    const members: Member[] = await Promise.all(
      ['twinfold-0', 'twinfold-1', 'twinfold-2'].map(async (name) => launch(name, await freePort())),
    );

    // Twins that stop changing before the restarts: every read of them has one right answer.
    const settled = generateWorkload({ seed: 13, devices: 150, records: 1500, idPrefix: 'st-' });
    await runRounds(d.prefix, applicationId, settled);
    const reference = new Map([...checkedReference(settled)].map(([id, doc]) => [id, JSON.stringify(doc)]));
    const settledIds = [...reference.keys()];
    await waitForOwnership(members);

    // Load: batches of new twins keep arriving until the restarts are over.
    let restarting = true;
    const live: Round[] = [];
    const liveIds: string[] = [];
    const ingest = (async () => {
      for (let batch = 0; restarting; batch++) {
        const rounds = generateWorkload({
          seed: 100 + batch,
          devices: 60,
          records: 600,
          idPrefix: `lv${batch}-`,
        });
        live.push(...rounds);
        liveIds.push(...new Set(rounds.flatMap((r) => r.records.map((x) => x.key))));
        await runRounds(d.prefix, applicationId, rounds);
      }
    })();

    let up: Member[] = [...members];
    const wrong: string[] = [];
    const liveAnswers: { id: string; body: string }[] = [];
    let phase: Phase = { name: 'before', startedAt: Date.now(), ok: 0, notReady: [] };
    const phases: Phase[] = [];
    const inFlight = new Map<Member, number>();
    const judge = (id: string, answer: HttpAnswer): void => {
      if (answer.status === 503 && Number(answer.headers['retry-after']) > 0) {
        phase.notReady.push(Date.now() - phase.startedAt);
      } else if (reference.has(id)) {
        if (answer.status === 200 && JSON.stringify(dataOf(answer)) === reference.get(id)) phase.ok += 1;
        else wrong.push(`${id}: ${answer.status} ${answer.text.slice(0, 200)}`);
      } else if (answer.status === 200) {
        liveAnswers.push({ id, body: JSON.stringify(dataOf(answer)) });
        phase.ok += 1;
      } else if (answer.status === 404) phase.ok += 1;
      else wrong.push(`${id}: ${answer.status} ${answer.text.slice(0, 200)}`);
    };
    let reading = true;
    const reader = async (worker: number): Promise<void> => {
      for (let i = 0; reading; i++) {
        const target = up[(worker + i) % up.length]!;
        const ids = i % 2 === 0 || liveIds.length === 0 ? settledIds : liveIds;
        const id = ids[(worker * 7919 + i * 31) % ids.length]!;
        inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
        try {
          judge(id, await api(target.url, 'GET', `/api/v1/twins/${id}`));
        } catch (err) {
          wrong.push(`${id} from ${target.name}: ${(err as Error).message}`);
        } finally {
          inFlight.set(target, inFlight.get(target)! - 1);
        }
      }
    };
    const readers = Promise.all([0, 1, 2, 3].map(reader));

    const stopLoad = async (): Promise<void> => {
      restarting = false;
      await ingest;
      reading = false;
      await readers;
    };
    const report: string[] = [];
    try {
      for (const m of [...members].reverse()) {
        phases.push(phase);
        phase = { name: m.name, startedAt: Date.now(), ok: 0, notReady: [] };
        up = up.filter((x) => x !== m);
        await waitFor(`requests to ${m.name} to finish`, () => (inFlight.get(m) ?? 0) === 0);
        const others = members.filter((o) => o !== m);
        const openedBefore = others.map((o) => taskLines(o.process.lines, 'task opened').length);
        const exitCode = await m.process.kill('SIGTERM');
        const stoppedMs = Date.now() - phase.startedAt;
        expect(exitCode).toBe(0);
        const closed = taskLines(m.process.lines, 'task closed', 'shutting down');
        expect(closed.length).toBeGreaterThan(0);
        expect(closed.filter((t) => !t.checkpointed)).toEqual([]);
        const restarted = await launch(m.name, m.port);
        const readyMs = Date.now() - phase.startedAt;
        members[members.indexOf(m)] = restarted;
        up = [...up, restarted];
        await waitForOwnership(members);
        const settledMs = Date.now() - phase.startedAt;
        const opened = taskLines(restarted.process.lines, 'task opened');
        // Same URL, same state dir: the assignor gives it its partitions back, checkpoints and all.
        expect(opened.filter((t) => !t.checkpoint)).toEqual([]);
        const takenOver = others.flatMap((o, i) =>
          taskLines(o.process.lines, 'task opened').slice(openedBefore[i]),
        );
        report.push(
          `${m.name}: exited ${stoppedMs} ms after SIGTERM (${closed.length} stores checkpointed); ready ${readyMs} ms, ` +
            `group settled ${settledMs} ms after SIGTERM; reopened ${opened.filter((t) => t.checkpoint).length} ` +
            `partitions from their checkpoint, rebuilt ${opened.filter((t) => !t.checkpoint).length}; the others took over ` +
            `${takenOver.length} meanwhile (${takenOver.filter((t) => !t.checkpoint).length} rebuilt from the changelog); ` +
            `503s (${phase.notReady.length}) at ${windows(phase.notReady)} after SIGTERM; ${phase.ok} right answers`,
        );
      }
      phases.push(phase);
    } catch (err) {
      // Stop the load before failing, so nothing talks to the broker after the test.
      await stopLoad().catch(() => undefined);
      throw err;
    }
    await stopLoad();

    expect(wrong).toEqual([]);
    expect(phases.slice(1).every((p) => p.ok > 0)).toBe(true); // each restart saw right answers
    // A live twin's answer is a document the processor committed.
    const committed = new Set(
      (await readAll([`${d.prefix}device.twins`]))
        .filter((r) => r.value !== null)
        .map((r) => `${r.key}\u0000${JSON.stringify(JSON.parse(r.value!.toString('utf8')))}`),
    );
    const uncommitted = liveAnswers.filter((a) => !committed.has(`${a.id}\u0000${a.body}`));
    expect(uncommitted.map((a) => `${a.id}: ${a.body.slice(0, 200)}`)).toEqual([]);
    await expectEqualToReference(d.prefix, members[0]!.url, [...settled, ...live]);
    process.stderr.write(
      `[rolling-restart] ${live.length} live rounds, ${liveAnswers.length} live answers checked\n` +
        report.map((r) => `[rolling-restart] ${r}\n`).join(''),
    );
  });
});
