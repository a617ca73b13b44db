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
