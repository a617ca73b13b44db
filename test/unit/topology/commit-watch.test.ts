import type { CommittedChange } from '../../../topology/commit-notice';
import { CommitWatch } from '../../../topology/commit-watch';

const change = (deviceId: string, requestId?: string, version = 2): CommittedChange => ({
  deviceId,
  ...(requestId === undefined ? {} : { requestId }),
  outcome: 'changed',
  version,
  events: [],
});

describe('CommitWatch', () => {
  it('settles a request wait with the fold of that request only', async () => {
    const watch = new CommitWatch();
    const wait = watch.forRequest('r1', 5000);
    watch.handle({ partition: 0, changes: [change('a', 'other'), change('a', 'r1', 7)] });
    await expect(wait.promise).resolves.toMatchObject({ requestId: 'r1', version: 7 });
    expect(watch.pending).toBe(0);
  });

  it('settles with undefined after the timeout, and on cancel', async () => {
    const watch = new CommitWatch();
    await expect(watch.forRequest('r1', 10).promise).resolves.toBeUndefined();
    const cancelled = watch.forRequest('r2', 5000);
    cancelled.cancel();
    await expect(cancelled.promise).resolves.toBeUndefined();
    expect(watch.pending).toBe(0);
  });

  it('wakes every wait on a device at its next change, and only that device', async () => {
    const watch = new CommitWatch();
    const a1 = watch.nextChange('a', 5000);
    const a2 = watch.nextChange('a', 5000);
    const b = watch.nextChange('b', 20);
    watch.handle({ partition: 1, changes: [change('a')] });
    await expect(Promise.all([a1.promise, a2.promise])).resolves.toEqual([true, true]);
    await expect(b.promise).resolves.toBe(false);
    expect(watch.pending).toBe(0);
  });
});
