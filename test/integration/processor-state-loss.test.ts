import { rmSync, existsSync } from 'node:fs';
import { deployment, startService, type Deployment } from '../support/stack';
import { expectEqualToReference, generateWorkload, QUIET_TIMERS, runRounds } from '../support/workload';

describe('processor: state directory lost', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('rebuilds every store from the changelog and keeps folding correctly', async () => {
    d = deployment('stateloss', { ...QUIET_TIMERS, PARTITIONS: '4' });
    let service = await startService(d, 'a');
    const rounds = generateWorkload({ seed: 3, devices: 400, records: 20_000, idPrefix: 'sl-' });
    const half = Math.floor(rounds.length / 2);

    await runRounds(d.prefix, `${d.prefix}app`, rounds.slice(0, half));
    await service.process.kill('SIGTERM');
    expect(existsSync(d.stateDir('a'))).toBe(true);
    rmSync(d.stateDir('a'), { recursive: true, force: true });

    service = await startService(d, 'a');
    const restored = service.process.lines.find((l) => l.includes('"restored stores from changelog"'));
    expect(restored).toBeDefined();
    expect(JSON.parse(restored!).records).toBeGreaterThan(0);

    await runRounds(d.prefix, `${d.prefix}app`, rounds.slice(half));
    await expectEqualToReference(d.prefix, service.url, rounds);
  });
});
