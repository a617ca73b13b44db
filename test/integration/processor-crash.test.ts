import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import {
  expectEqualToReference,
  generateWorkload,
  isConsumed,
  QUIET_TIMERS,
  runRounds,
  topicOf,
} from '../support/workload';

describe('processor: SIGKILL mid-stream (exactly_once)', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('equals the reference fold with no version published twice after three kills', async () => {
    d = deployment('crash', { ...QUIET_TIMERS, PARTITIONS: '4' });
    let service: ServiceInstance = await startService(d);
    const rounds = generateWorkload({ seed: 7, devices: 500, records: 40_000, idPrefix: 'crash-' });
    let kills = 0;
    let killsMidRound = 0;
    let wipedAfterKill = 0;

    await runRounds(d.prefix, `${d.prefix}app`, rounds, async (index) => {
      if (index % 3 !== 0) return;
      // Kill it without warning as soon as the round is produced. A dead process commits nothing, so
      // reading the group's offsets after the kill says exactly whether it died mid-round.
      await service.process.kill('SIGKILL');
      const midRound = !(await isConsumed(`${d.prefix}app`, topicOf(d.prefix, rounds[index]!.kind)));
      kills += 1;
      if (midRound) killsMidRound += 1;
      service = await startService(d);
      // No checkpoint survives a crash: every task of the new process starts from a wiped store.
      const opened = service.process.lines.filter((l) => l.includes('"task opened"'));
      if (opened.length > 0 && opened.every((l) => l.includes('"checkpoint":false'))) wipedAfterKill += 1;
    });

    expect(kills).toBeGreaterThanOrEqual(3);
    expect(killsMidRound).toBeGreaterThanOrEqual(3);
    expect(wipedAfterKill).toBe(kills);
    await expectEqualToReference(d.prefix, service.url, rounds);
  });
});
