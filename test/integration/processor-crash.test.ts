import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { expectEqualToReference, generateWorkload, QUIET_TIMERS, runRounds } from '../support/workload';

describe('processor: SIGKILL mid-stream (exactly_once)', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('equals the reference fold with no version published twice after three kills', async () => {
    d = deployment('crash', { ...QUIET_TIMERS, PARTITIONS: '4' });
    let service: ServiceInstance = await startService(d);
    const rounds = generateWorkload({ seed: 7, devices: 500, records: 40_000, idPrefix: 'crash-' });
    let kills = 0;

    await runRounds(d.prefix, `${d.prefix}app`, rounds, async (index) => {
      if (index % 4 !== 0) return;
      // Let it get into the round, then kill it without warning and start a new process on the same state.
      await new Promise((r) => setTimeout(r, 150 + ((index * 97) % 400)));
      await service.process.kill('SIGKILL');
      kills += 1;
      service = await startService(d);
    });

    expect(kills).toBeGreaterThanOrEqual(3);
    await expectEqualToReference(d.prefix, service.url, rounds);
  });
});
