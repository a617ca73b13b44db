import { verifySeqs, type PublishedVersion } from '../../support/soak/verifier';

/** device.twins records of one twin: versions 1.. with the given reported seqs. */
const versions = (seqs: number[]): PublishedVersion[] => seqs.map((seq, i) => ({ version: i + 1, seq }));

function verdict(o: { acked: number[]; telemetry: number[]; published: PublishedVersion[] }) {
  return verifySeqs({
    acked: new Map([['d1', new Set(o.acked)]]),
    telemetry: new Map([['d1', o.telemetry]]),
    published: new Map([['d1', o.published]]),
  });
}

describe('the soak verifier', () => {
  it('passes when every acknowledged seq is in Kafka and folded once, in order', () => {
    const v = verdict({ acked: [0, 1, 2], telemetry: [0, 1, 2], published: versions([0, 1, 2]) });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ acked: 3, inKafka: 3, folded: 3, redelivered: 0, refolds: 0 });
  });

  it('accepts a bridge redelivery, folded once more as a version repeating the seq', () => {
    const v = verdict({ acked: [0, 1, 2], telemetry: [0, 1, 1, 2], published: versions([0, 1, 1, 2]) });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({ redelivered: 1, refolds: 1, folded: 3 });
  });

  it('fails on a seq folded twice without a second copy in Kafka (a duplicate fold)', () => {
    const v = verdict({ acked: [0, 1, 2], telemetry: [0, 1, 2], published: versions([0, 1, 1, 2]) });
    expect(v.problems).toEqual([
      'd1: 1 versions repeat a seq, but device.telemetry holds 0 redelivered copies',
    ]);
  });

  it('fails on an acknowledged seq that never reached Kafka', () => {
    const v = verdict({ acked: [0, 1, 2, 3], telemetry: [0, 1, 2], published: versions([0, 1, 2]) });
    expect(v.problems).toEqual([
      'd1: acknowledged seq 3 never reached device.telemetry',
      'd1: acknowledged seq 3 folded 0 times',
    ]);
  });

  it('fails on an acknowledged seq in Kafka that the twin never showed (a lost fold)', () => {
    const v = verdict({ acked: [0, 1, 2], telemetry: [0, 1, 2], published: versions([0, 2]) });
    expect(v.problems).toEqual(['d1: acknowledged seq 1 folded 0 times']);
  });

  it('fails on a version published twice, and on a gap', () => {
    const repeated = verdict({
      acked: [0, 1],
      telemetry: [0, 1],
      published: [
        { version: 1, seq: 0 },
        { version: 2, seq: 1 },
        { version: 2, seq: 1 },
      ],
    });
    expect(repeated.problems).toEqual([
      'd1: 1 versions repeat a seq, but device.telemetry holds 0 redelivered copies',
      'device.twins d1: version 2 then 2',
    ]);
    const gap = verdict({
      acked: [0, 1],
      telemetry: [0, 1],
      published: [
        { version: 1, seq: 0 },
        { version: 3, seq: 1 },
      ],
    });
    expect(gap.problems).toEqual(['device.twins d1: version 1 then 3']);
  });

  it('fails when the reported seq goes backwards', () => {
    const v = verdict({ acked: [0, 1, 2], telemetry: [0, 1, 2], published: versions([0, 2, 1]) });
    expect(v.problems).toContain('d1: version 3 reports seq 1 after 2');
  });
});
