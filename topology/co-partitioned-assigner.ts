import { AssignerProtocol, type Assigner, type Cluster, type GroupMember } from 'kafkajs';

/** What each member says about itself when it joins: where its API answers. */
export interface MemberInfo {
  url: string;
}

export const ASSIGNER_NAME = 'TwinfoldCoPartitioned';

export function encodeMemberInfo(info: MemberInfo): Buffer {
  return Buffer.from(JSON.stringify(info), 'utf8');
}

export function decodeMemberInfo(userData: Buffer | null | undefined): MemberInfo | undefined {
  if (!userData || userData.length === 0) return undefined;
  try {
    const parsed = JSON.parse(userData.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as MemberInfo).url === 'string') {
      return { url: (parsed as MemberInfo).url };
    }
  } catch {
    // a member of another version: no info
  }
  return undefined;
}

/**
 * Partition numbers spread over members: every member owning partition p gets p of EVERY subscribed
 * topic, so one task sees all records of a device (the co-partitioning Kafka Streams relies on).
 * Members are ordered by `identity` (the advertised URL: stable across restarts, where the member
 * id is new each time), so an instance that restarts into the same group gets the same partitions
 * back and its stores only catch up from their checkpoints. Pure, so the spread is unit-testable.
 */
export function spreadPartitions(
  memberIds: readonly string[],
  partitionCount: number,
  identity: (memberId: string) => string = (id) => id,
): Map<string, number[]> {
  const order = (id: string): string => `${identity(id)}\u0000${id}`;
  const sorted = [...memberIds].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const out = new Map<string, number[]>(sorted.map((m) => [m, []]));
  for (let p = 0; p < partitionCount; p++) out.get(sorted[p % sorted.length]!)!.push(p);
  return out;
}

/** The kafkajs assigner factory; `info` goes into this member's join metadata. */
export function coPartitionedAssigner(info: MemberInfo): (config: { cluster: Cluster }) => Assigner {
  return ({ cluster }) => ({
    name: ASSIGNER_NAME,
    version: 1,
    protocol({ topics }) {
      return {
        name: ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: encodeMemberInfo(info),
        }),
      };
    },
    async assign({ members, topics }: { members: GroupMember[]; topics: string[] }) {
      const counts = topics.map((t) => cluster.findTopicPartitionMetadata(t).length);
      const partitionCount = Math.min(...counts);
      const urls = new Map(
        members.map((m) => [
          m.memberId,
          decodeMemberInfo(AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData)?.url ?? '',
        ]),
      );
      const spread = spreadPartitions(
        members.map((m) => m.memberId),
        partitionCount,
        (id) => urls.get(id) ?? '',
      );
      return [...spread].map(([memberId, partitions]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: Object.fromEntries(topics.map((t) => [t, partitions])),
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}
