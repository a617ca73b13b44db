import { AssignerProtocol, type GroupDescription } from 'kafkajs';
import { partitionForKey } from '../../../shared/partitioner';
import { createLogger } from '../../../shared/logger';
import { ASSIGNER_NAME, encodeMemberInfo } from '../../../topology/co-partitioned-assigner';
import { PartitionOwners } from '../../../topology/partition-owners';

function stableGroup(owners: Record<string, number[]>): GroupDescription {
  return {
    groupId: 'app',
    protocol: ASSIGNER_NAME,
    protocolType: 'consumer',
    state: 'Stable',
    members: Object.entries(owners).map(([url, partitions], i) => ({
      memberId: `m${i}`,
      clientId: 'c',
      clientHost: 'h',
      memberMetadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics: ['t'],
        userData: encodeMemberInfo({ url }),
      }),
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: { t: partitions },
        userData: Buffer.alloc(0),
      }),
    })),
  };
}

/** A describeGroups the test answers by hand, one call at a time. */
function manualDescribe(): {
  describe: () => Promise<GroupDescription | undefined>;
  answer(group: GroupDescription | Error): void;
  calls: number;
} {
  const pending: ((g: GroupDescription | Error) => void)[] = [];
  const control = {
    calls: 0,
    describe: () =>
      new Promise<GroupDescription | undefined>((resolve, reject) => {
        control.calls += 1;
        pending.push((g) => (g instanceof Error ? reject(g) : resolve(g)));
      }),
    answer(group: GroupDescription | Error) {
      pending.shift()!(group);
    },
  };
  return control;
}

const logger = createLogger({ write: () => undefined });

function owners(describe: () => Promise<GroupDescription | undefined>, partitions = 4): PartitionOwners {
  return new PartitionOwners({
    self: 'http://a:1',
    describeGroup: describe,
    partitionCount: () => partitions,
    refreshMs: 60_000,
    logger,
  });
}

describe('PartitionOwners', () => {
  it('answers queryMetadataForKey from the map once read, by the murmur2 partition', async () => {
    const map = owners(async () => stableGroup({ 'http://a:1': [0, 1], 'http://b:2': [2, 3] }));
    expect(map.snapshot().state).toBe('unknown');
    expect(map.queryMetadataForKey('sensor-1').activeHost).toBeUndefined();
    await map.refresh();
    const partition = partitionForKey('sensor-1', 4);
    expect(map.queryMetadataForKey('sensor-1')).toEqual({
      partition,
      activeHost: partition < 2 ? 'http://a:1' : 'http://b:2',
    });
    expect(map.snapshot()).toMatchObject({ state: 'current', partitionCount: 4, self: 'http://a:1' });
  });

  it('stops naming owners as soon as a rebalance begins, until it is read again', async () => {
    const map = owners(async () => stableGroup({ 'http://a:1': [0, 1, 2, 3] }));
    await map.refresh();
    map.markStale('a rebalance began');
    expect(map.ownerOf(0)).toBeUndefined();
    expect(map.snapshot()).toMatchObject({ state: 'stale', reason: 'a rebalance began' });
    // the last known owners stay visible for operators
    expect(map.snapshot().owners.get(0)).toBe('http://a:1');
    await map.refresh();
    expect(map.ownerOf(0)).toBe('http://a:1');
  });

  it('drops an answer that was asked for before the latest rebalance', async () => {
    const control = manualDescribe();
    const map = owners(control.describe);
    const early = map.refresh();
    map.joined(); // this member rejoined while the first read was in flight
    const late = map.refresh();
    control.answer(stableGroup({ 'http://a:1': [0, 1, 2, 3] })); // old assignment
    await early;
    expect(map.snapshot().state).not.toBe('current');
    await new Promise((r) => setImmediate(r));
    control.answer(stableGroup({ 'http://b:2': [0, 1, 2, 3] })); // the new one
    await late;
    expect(map.ownerOf(0)).toBe('http://b:2');
    expect(control.calls).toBe(2);
  });

  it('stays stale while the group is rebalancing or cannot be described', async () => {
    const control = manualDescribe();
    const map = owners(control.describe);
    let read = map.refresh();
    control.answer({ ...stableGroup({ 'http://a:1': [0, 1, 2, 3] }), state: 'PreparingRebalance' });
    await read;
    expect(map.snapshot()).toMatchObject({ state: 'unknown', reason: 'the group is PreparingRebalance' });
    read = map.refresh();
    control.answer(new Error('coordinator not available'));
    await read;
    expect(map.snapshot().reason).toMatch(/coordinator not available/);
    expect(map.ownerOf(1)).toBeUndefined();
  });

  it('re-reads on its own: at start, every refreshMs, at once after joined(), never after stop()', async () => {
    // Fake timers: the schedule is checked step by step, not by sleeping and counting.
    jest.useFakeTimers();
    try {
      let calls = 0;
      const map = new PartitionOwners({
        self: 'http://a:1',
        describeGroup: async () => {
          calls += 1;
          return stableGroup({ 'http://a:1': [0, 1, 2, 3] });
        },
        partitionCount: () => 4,
        refreshMs: 1000,
        logger,
      });
      map.start();
      await jest.advanceTimersByTimeAsync(0);
      expect(calls).toBe(1);
      expect(map.ownerOf(3)).toBe('http://a:1');
      await jest.advanceTimersByTimeAsync(999);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toBe(2);
      map.joined();
      await jest.advanceTimersByTimeAsync(0);
      expect(calls).toBe(3);
      map.stop();
      await jest.advanceTimersByTimeAsync(10_000);
      expect(calls).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });
});
