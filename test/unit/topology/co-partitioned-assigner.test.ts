import {
  decodeMemberInfo,
  encodeMemberInfo,
  spreadPartitions,
} from '../../../topology/co-partitioned-assigner';

describe('spreadPartitions', () => {
  it('gives every partition number to exactly one member, evenly', () => {
    const spread = spreadPartitions(['m-b', 'm-a', 'm-c'], 8);
    const all = [...spread.values()].flat().sort((a, b) => a - b);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const sizes = [...spread.values()].map((ps) => ps.length).sort();
    expect(sizes).toEqual([2, 3, 3]);
  });

  it('does not depend on the order members are listed in', () => {
    expect(spreadPartitions(['x', 'y', 'z'], 5)).toEqual(spreadPartitions(['z', 'x', 'y'], 5));
  });

  it('orders members by their stable identity, so a restarted instance gets its partitions back', () => {
    const url = new Map([
      ['m-7f3a', 'http://twinfold-0:8080'],
      ['m-0c21', 'http://twinfold-1:8080'],
      ['m-9999', 'http://twinfold-2:8080'],
      ['m-abcd', 'http://twinfold-1:8080'], // twinfold-1 again, after a restart: a new member id
    ]);
    const identity = (id: string): string => url.get(id)!;
    const before = spreadPartitions(['m-7f3a', 'm-0c21', 'm-9999'], 6, identity);
    const after = spreadPartitions(['m-9999', 'm-abcd', 'm-7f3a'], 6, identity);
    expect(after.get('m-abcd')).toEqual(before.get('m-0c21'));
    expect(after.get('m-7f3a')).toEqual(before.get('m-7f3a'));
    expect(after.get('m-9999')).toEqual(before.get('m-9999'));
  });

  it('leaves extra members idle rather than splitting a partition', () => {
    const spread = spreadPartitions(['a', 'b', 'c'], 2);
    expect([...spread.values()].filter((ps) => ps.length === 0)).toHaveLength(1);
  });
});

describe('member info', () => {
  it('round-trips and ignores what it cannot read', () => {
    expect(decodeMemberInfo(encodeMemberInfo({ url: 'http://10.0.0.1:8080' }))).toEqual({
      url: 'http://10.0.0.1:8080',
    });
    expect(decodeMemberInfo(Buffer.from('not json'))).toBeUndefined();
    expect(decodeMemberInfo(Buffer.from('{"url": 5}'))).toBeUndefined();
    expect(decodeMemberInfo(null)).toBeUndefined();
  });
});
