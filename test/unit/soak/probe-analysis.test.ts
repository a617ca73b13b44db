import {
  longestUnavailable,
  memoryTrend,
  memoryWindowMs,
  staleReads,
  type ProbeAnswer,
} from '../../support/soak/probe-analysis';

const answer = (atMs: number, status: number, version?: number, instance = 'a'): ProbeAnswer => ({
  twin: 't1',
  instance,
  atMs,
  status,
  ...(version === undefined ? {} : { version }),
});

describe('the soak probes', () => {
  it('finds a 200 showing an older version than an earlier 200 from another instance', () => {
    const answers = [
      answer(0, 200, 5, 'a'),
      answer(1, 200, 7, 'b'),
      answer(2, 200, 6, 'c'),
      answer(3, 200, 7),
    ];
    expect(staleReads(answers)).toEqual(['t1: c answered version 6 after b answered 7']);
    expect(staleReads([answer(0, 200, 5), answer(1, 503), answer(2, 200, 5)])).toEqual([]);
  });

  it('measures the longest run of 503s until the next 200, ignoring refused connections', () => {
    const answers = [
      answer(0, 200, 1),
      answer(100, 503),
      answer(200, 0),
      answer(900, 503),
      answer(1100, 200, 2),
      answer(1200, 503),
      answer(1300, 200, 2),
    ];
    expect(longestUnavailable(answers)).toEqual({ twin: 't1', ms: 1000 });
    expect(longestUnavailable([answer(0, 503), answer(400, 503)])).toEqual({ twin: 't1', ms: 400 });
    expect(longestUnavailable([answer(0, 200, 1), answer(5, 0)])).toEqual({ twin: '', ms: 0 });
  });

  it('averages memory over the first and the last quarter of the run, per instance', () => {
    const samples = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((t) => ({
      instance: 'a',
      atMs: t,
      kb: 1000 + t,
    }));
    expect(memoryTrend(samples, { startMs: 0, endMs: 100 })).toEqual([
      { instance: 'a', windowMs: 25, firstKb: 1010, lastKb: 1090 },
    ]);
    expect(memoryTrend(samples.slice(0, 3), { startMs: 0, endMs: 100 })).toEqual([
      { instance: 'a', windowMs: 25, firstKb: 1010, lastKb: undefined },
    ]);
  });

  it('averages the first and the last ten minutes of a run of 30 minutes or more', () => {
    const minute = 60_000;
    const samples = Array.from({ length: 41 }, (_, i) => ({ instance: 'a', atMs: i * minute, kb: 1000 + i }));
    // minutes 0..10 average 1005, minutes 30..40 average 1035
    expect(memoryTrend(samples, { startMs: 0, endMs: 40 * minute })).toEqual([
      { instance: 'a', windowMs: 10 * minute, firstKb: 1005, lastKb: 1035 },
    ]);
    expect(memoryWindowMs(29 * minute)).toBe(29 * minute * 0.25);
  });
});
