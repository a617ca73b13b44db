import { AssignerProtocol, type GroupDescription, type MemberDescription } from 'kafkajs';
import { ASSIGNER_NAME, encodeMemberInfo } from '../../../topology/co-partitioned-assigner';
import { decodeOwnership } from '../../../topology/group-ownership';

const TOPICS = ['device.telemetry', 'device.state'];

function member(id: string, url: string | undefined, partitions: number[]): MemberDescription {
  return {
    memberId: id,
    clientId: 'twinfold-service',
    clientHost: '/127.0.0.1',
    memberMetadata: AssignerProtocol.MemberMetadata.encode({
      version: 1,
      topics: TOPICS,
      userData: url === undefined ? Buffer.alloc(0) : encodeMemberInfo({ url }),
    }),
    memberAssignment: AssignerProtocol.MemberAssignment.encode({
      version: 1,
      assignment: Object.fromEntries(TOPICS.map((t) => [t, partitions])),
      userData: Buffer.alloc(0),
    }),
  };
}

function group(members: MemberDescription[], overrides: Partial<GroupDescription> = {}): GroupDescription {
  return {
    groupId: 'app',
    members,
    protocol: ASSIGNER_NAME,
    protocolType: 'consumer',
    state: 'Stable',
    ...overrides,
  };
}

describe('decodeOwnership', () => {
  it("maps each partition to its member's advertised URL", () => {
    const decoded = decodeOwnership(
      group([member('m1', 'http://a:8080', [0, 2]), member('m2', 'http://b:8080', [1, 3])]),
      4,
    );
    expect(decoded).toEqual({
      ok: true,
      owners: new Map([
        [0, 'http://a:8080'],
        [2, 'http://a:8080'],
        [1, 'http://b:8080'],
        [3, 'http://b:8080'],
      ]),
    });
  });

  it('gives no map while the group is not Stable (a rebalance is under way)', () => {
    for (const state of ['PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'] as const) {
      const decoded = decodeOwnership(group([member('m1', 'http://a:8080', [0, 1])], { state }), 2);
      expect(decoded).toEqual({ ok: false, problem: `the group is ${state}` });
    }
  });

  it('gives no map when a partition has no owner or two owners', () => {
    expect(decodeOwnership(group([member('m1', 'http://a:8080', [0])]), 2)).toEqual({
      ok: false,
      problem: 'partition 1 has no owner',
    });
    const twice = decodeOwnership(
      group([member('m1', 'http://a:8080', [0, 1]), member('m2', 'http://b:8080', [1])]),
      2,
    );
    expect(twice.ok).toBe(false);
  });

  it('gives no map for members without a URL, another assigner, or an unknown partition count', () => {
    expect(decodeOwnership(group([member('m1', undefined, [0])]), 1).ok).toBe(false);
    expect(
      decodeOwnership(group([member('m1', 'http://a:8080', [0])], { protocol: 'RoundRobinAssigner' }), 1).ok,
    ).toBe(false);
    expect(decodeOwnership(group([member('m1', 'http://a:8080', [0])]), 0).ok).toBe(false);
    expect(decodeOwnership(undefined, 1).ok).toBe(false);
    const garbage = { ...member('m1', 'http://a:8080', [0]), memberMetadata: Buffer.from([1, 2, 3]) };
    expect(decodeOwnership(group([garbage]), 1).ok).toBe(false);
  });

  it('ignores members that hold no assignment yet', () => {
    const idle = { ...member('m3', 'http://c:8080', []), memberAssignment: Buffer.alloc(0) };
    const decoded = decodeOwnership(group([member('m1', 'http://a:8080', [0, 1]), idle]), 2);
    expect(decoded.ok && [...decoded.owners.values()]).toEqual(['http://a:8080', 'http://a:8080']);
  });
});
