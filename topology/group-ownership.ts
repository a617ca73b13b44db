import { AssignerProtocol, type GroupDescription } from 'kafkajs';
import { ASSIGNER_NAME, decodeMemberInfo } from './co-partitioned-assigner';

/** partition number -> the API URL of the member that owns it. */
export type OwnerMap = ReadonlyMap<number, string>;

export type OwnershipDecode = { ok: true; owners: OwnerMap } | { ok: false; problem: string };

/**
 * Reads who owns which partition from a `describeGroups` answer: each member's join metadata
 * carries its URL (userData, see co-partitioned-assigner.ts) and its assignment the partition
 * numbers it got. Only a Stable group of our assigner whose members own every partition in
 * 0..partitionCount-1 exactly once gives a map; anything else is a problem, so the caller answers
 * 503 rather than guess. Pure.
 */
export function decodeOwnership(
  group: GroupDescription | undefined,
  partitionCount: number,
): OwnershipDecode {
  if (!group) return { ok: false, problem: 'the group is not described' };
  if (partitionCount <= 0) return { ok: false, problem: 'the partition count is not known yet' };
  if (group.state !== 'Stable') return { ok: false, problem: `the group is ${group.state}` };
  if (group.protocol !== ASSIGNER_NAME) {
    return { ok: false, problem: `the group uses assigner ${JSON.stringify(group.protocol)}` };
  }
  const owners = new Map<number, string>();
  for (const member of group.members) {
    const url = memberUrl(member.memberMetadata);
    if (url === undefined) return { ok: false, problem: `member ${member.memberId} advertises no URL` };
    for (const p of assignedPartitions(member.memberAssignment)) {
      const other = owners.get(p);
      if (other !== undefined && other !== url) {
        return { ok: false, problem: `partition ${p} is assigned to both ${other} and ${url}` };
      }
      owners.set(p, url);
    }
  }
  for (let p = 0; p < partitionCount; p++) {
    if (!owners.has(p)) return { ok: false, problem: `partition ${p} has no owner` };
  }
  return { ok: true, owners };
}

function memberUrl(metadata: Buffer): string | undefined {
  try {
    return decodeMemberInfo(AssignerProtocol.MemberMetadata.decode(metadata)?.userData)?.url;
  } catch {
    return undefined; // not our protocol's bytes
  }
}

/** Partition numbers over every topic of the assignment (co-partitioned: the same numbers each). */
function assignedPartitions(assignment: Buffer): number[] {
  if (assignment.length === 0) return [];
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(assignment);
    return [...new Set(Object.values(decoded?.assignment ?? {}).flat())];
  } catch {
    return [];
  }
}
