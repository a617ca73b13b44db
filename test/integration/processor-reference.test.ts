import { deployment, startService, type Deployment } from '../support/stack';
import { expectEqualToReference, generateWorkload, QUIET_TIMERS, runRounds } from '../support/workload';
import { readAll } from '../support/kafka';

describe('processor: reference fold', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('folds 100k mixed records over 1k devices and 4 partitions into exactly the reference twins', async () => {
    d = deployment('reference', { ...QUIET_TIMERS, PARTITIONS: '4' });
    const service = await startService(d);
    const rounds = generateWorkload({ seed: 20261125, devices: 1000, records: 100_000, idPrefix: 'ref-' });
    expect(rounds.reduce((n, r) => n + r.records.length, 0)).toBeGreaterThanOrEqual(100_000);

    await runRounds(d.prefix, `${d.prefix}app`, rounds);

    await expectEqualToReference(d.prefix, service.url, rounds);
    const dlq = await readAll([`${d.prefix}device.dlq`]);
    expect(dlq.length).toBeGreaterThan(0);
    expect(new Set(dlq.map((r) => r.headers['twinfold.component']))).toEqual(new Set(['processor']));
  });
});
