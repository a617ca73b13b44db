import { rmSync } from 'node:fs';
import { waitForOwnership } from '../support/api-cluster';
import { compareAnswers, fetchAnswers, type Answers, type CheckName } from '../support/history-checks';
import { historyReference, type HistoryReference, type JsonMap } from '../support/history-reference';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import {
  generateWorkload,
  QUIET_TIMERS,
  referenceDocuments,
  referenceFold,
  runRounds,
  type Round,
} from '../support/workload';

const DEVICES = 24;

function currentDocuments(rounds: Round[]): Map<string, JsonMap> {
  const docs = referenceDocuments(referenceFold(rounds));
  return new Map([...docs].map(([id, doc]) => [id, JSON.parse(JSON.stringify(doc)) as JsonMap]));
}

/** Every check must pass on the real answers, and each must fail on a reference broken for it. */
function expectEqualHistory(answers: Answers, rounds: Round[]): void {
  const ref = historyReference(rounds);
  const current = currentDocuments(rounds);
  const problems = compareAnswers(answers, ref, current);
  expect(Object.fromEntries(problems)).toEqual({});

  const device = answers.devices.find(
    (d) => (ref.readings.get(d.id)?.length ?? 0) > 2 && (ref.versions.get(d.id)?.length ?? 0) > 2,
  )!;
  const broken = (
    check: CheckName,
    breakIt: (r: HistoryReference, c: Map<string, JsonMap>, a: Answers) => void,
  ): void => {
    const r: HistoryReference = structuredClone(ref);
    const c = structuredClone(current);
    const a = structuredClone(answers);
    breakIt(r, c, a);
    expect([check, compareAnswers(a, r, c).has(check)]).toEqual([check, true]);
  };
  broken('telemetry', (r) => r.readings.get(device.id)!.pop());
  broken('csv', (r) => r.readings.get(device.id)!.pop());
  broken('paging', (_r, _c, a) => a.devices.find((d) => d.id === device.id)!.paged.pop());
  broken('history', (r) => (r.versions.get(device.id)![1]!.timestamp += 1));
  broken('changes', (_r, c) => ((c.get(device.id)!.attributes as JsonMap).extra = 1));
  broken('at', (r) => {
    for (const v of r.versions.get(device.id)!) if (v.document) v.document.type = 'other';
  });
  broken('aggregate', (r) => {
    for (const reading of r.readings.get(device.id)!) reading.values.temperature = 1000;
  });
  broken('fleet', (_r, c) => (c.get(device.id)!.type = 'other'));
}

describe('history over REST, against a reference, through a crash and a lost state dir', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('serves exactly the reference history from every instance', async () => {
    d = deployment('histapi', { ...QUIET_TIMERS, PARTITIONS: '4' });
    let a: ServiceInstance = await startService(d, 'a');
    const b = await startService(d, 'b');
    await waitForOwnership([a, b]);
    const rounds = generateWorkload({ seed: 11, devices: DEVICES, records: 1500, idPrefix: 'h-' });
    const ids = Array.from({ length: DEVICES }, (_, i) => `h-${i}`);
    const check = async (): Promise<void> => {
      await waitForOwnership([a, b]);
      const urls = [a.url, b.url];
      const answers = await fetchAnswers(historyReference(rounds), ids, (i) => urls[i % 2]!, urls);
      expectEqualHistory(answers, rounds);
    };

    // SIGKILL mid-stream: as soon as a round is produced, before it is consumed.
    await runRounds(d.prefix, `${d.prefix}app`, rounds, async (index) => {
      if (index !== 4) return;
      await a.process.kill('SIGKILL');
      a = await startService(d, 'a');
    });
    await check();

    // The state dir lost: history rebuilt from its changelog.
    await a.process.kill('SIGTERM');
    rmSync(d.stateDir('a'), { recursive: true, force: true });
    a = await startService(d, 'a');
    await check();
  });
});
