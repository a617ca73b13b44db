import { deployment, startService, type Deployment } from '../support/stack';
import { expectEqualToReference, generateWorkload, QUIET_TIMERS, runRounds } from '../support/workload';

describe('processor: at_least_once without failures', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('equals the reference fold', async () => {
    d = deployment('alos', { ...QUIET_TIMERS, PARTITIONS: '4', PROCESSING_GUARANTEE: 'at_least_once' });
    const service = await startService(d);
    const rounds = generateWorkload({ seed: 11, devices: 300, records: 20_000, idPrefix: 'alos-' });
    await runRounds(d.prefix, `${d.prefix}app`, rounds);
    await expectEqualToReference(d.prefix, service.url, rounds);
    expect(service.process.lines.some((l) => l.includes('"guarantee":"at_least_once"'))).toBe(true);
  });
});
