import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { expectEqualToReference, generateWorkload, QUIET_TIMERS, runRounds } from '../support/workload';

describe('processor: rebalance 1 -> 3 -> 1 under input', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('keeps the reference equality and never publishes a version twice', async () => {
    d = deployment('rebalance', { ...QUIET_TIMERS, PARTITIONS: '6' });
    const first = await startService(d, 'a');
    const rounds = generateWorkload({ seed: 99, devices: 600, records: 40_000, idPrefix: 'rb-' });
    const extra: ServiceInstance[] = [];

    await runRounds(d.prefix, `${d.prefix}app`, rounds, async (index) => {
      if (index === 1) extra.push(...(await Promise.all([startService(d, 'b'), startService(d, 'c')])));
      if (index === 7) await Promise.all(extra.map((s) => s.process.kill('SIGTERM')));
    });

    expect(extra).toHaveLength(2);
    for (const s of extra) expect(s.process.running).toBe(false);
    // Partitions moved away from `a` and back: it must have closed tasks and reopened them from checkpoints.
    expect(first.process.lines.some((l) => l.includes('"task closed"'))).toBe(true);
    expect(first.process.lines.filter((l) => l.includes('"checkpoint":true')).length).toBeGreaterThan(0);
    await expectEqualToReference(d.prefix, first.url, rounds);
  });
});
