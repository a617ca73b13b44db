import { reportedSeq } from '../../../bench/live-stack';
import { formatTable, meets } from '../../../bench/report';
import { SeqTracker } from '../../../bench/seq-tracker';
import { quantile, summarize } from '../../../bench/stats';

describe('bench seq tracker', () => {
  it('settles every message up to the seq a twin shows, recording those sent in the window', () => {
    const t = new SeqTracker();
    t.sent('a', 1, 100);
    t.record(150);
    t.sent('a', 2, 200);
    t.sent('a', 3, 210);
    t.sent('b', 1, 220);
    expect(t.backlog()).toBe(4);
    t.seen('a', 2, 250);
    expect(t.latencies).toEqual([50]);
    expect(t.backlog()).toBe(2);
    t.close(215);
    t.seen('a', 3, 300);
    t.seen('b', 1, 300);
    expect(t.latencies).toEqual([50, 90]);
    expect(t.unsettledBefore(1000)).toBe(0);
  });
});

describe('bench stats', () => {
  it('takes nearest-rank quantiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile(xs, 0.99)).toBe(99);
    expect(summarize([3, 1, 2])).toEqual({ count: 3, p50: 2, p95: 3, p99: 3, max: 3 });
    expect(summarize([]).p99).toBeNull();
  });
});

describe('bench report', () => {
  it('finds reported.seq in a twin document', () => {
    const doc = { id: 'x', reported: { seq: 17, t: 1 }, desired: { seq: 99 } };
    expect(reportedSeq(Buffer.from(JSON.stringify(doc)))).toBe(17);
    expect(reportedSeq(null)).toBeUndefined();
  });

  it('prints figures beside their targets', () => {
    const fig = { name: 'fold', value: 60000, unit: 'msgs/s', target: { op: '>=' as const, value: 50000 } };
    expect(meets(fig)).toBe(true);
    const table = formatTable([{ bench: 'fold', setup: {}, figures: [fig], seconds: 1 }]);
    expect(table).toMatch(/fold\s+fold\s+60,000 msgs\/s\s+>= 50,000\s+yes/);
  });
});
