import { bucketOfKey, changeKey, hex12, readingKey, readingSeq } from '../../../topology/history/keys';
import { bucketEnd, bucketWidth, RetentionPolicy } from '../../../topology/history/retention';
import { compareKeys } from '../../../store';

const DAY = 86_400_000;

describe('history key layout', () => {
  it('orders numbers numerically in byte order', () => {
    const numbers = [0, 1, 15, 16, 255, 4096, 1_700_000_000_000, 2 ** 47];
    const sorted = numbers.map(hex12).sort(compareKeys);
    expect(sorted).toEqual(numbers.map(hex12));
    expect(() => hex12(-1)).toThrow(RangeError);
    expect(() => hex12(2 ** 48)).toThrow(RangeError);
  });

  it('puts the bucket first, then kind, device and time or version', () => {
    const key = readingKey(5000, 'dev-1', 1234, readingSeq('telemetry', '42'));
    expect(key).toBe(`${hex12(5000)}|r|dev-1|${hex12(1234)}|t000000000000002a`);
    expect(bucketOfKey(key)).toBe(5000);
    expect(bucketOfKey(changeKey(7000, 'dev-1', 3))).toBe(7000);
    expect(bucketOfKey('not-a-history-key')).toBeNaN();
  });

  it("keeps one device's entries apart from a device whose id extends it", () => {
    // `dev-1|` < `dev-10|`: '|' sorts after every id character, so a prefix scan of dev-1 stops before dev-10.
    const a = readingKey(1, 'dev-1', 99, readingSeq('state', '0'));
    const b = readingKey(1, 'dev-10', 0, readingSeq('state', '0'));
    expect(compareKeys(a, `${hex12(1)}|r|dev-1}`)).toBeLessThan(0);
    expect(compareKeys(b, `${hex12(1)}|r|dev-1}`)).toBeLessThan(0);
    expect(b.startsWith(`${hex12(1)}|r|dev-1|`)).toBe(false);
  });
});

describe('retention and buckets', () => {
  it('uses the per-type retention, else the default; the changelog keeps the longest', () => {
    const policy = new RetentionPolicy({
      defaultMs: 30 * DAY,
      byType: new Map([
        ['camera', DAY],
        ['archive', 90 * DAY],
      ]),
    });
    expect(policy.retentionFor('camera')).toBe(DAY);
    expect(policy.retentionFor('sensor')).toBe(30 * DAY);
    expect(policy.retentionFor(undefined)).toBe(30 * DAY);
    expect(policy.maxMs).toBe(90 * DAY);
  });

  it('rounds the expiry up to a bucket of an eighth of the retention, between a second and a day', () => {
    expect(bucketWidth(30 * DAY)).toBe(DAY);
    expect(bucketWidth(8 * 3_600_000)).toBe(3_600_000);
    expect(bucketWidth(2000)).toBe(1000);
    expect(bucketEnd(DAY + 1, 30 * DAY)).toBe(2 * DAY);
    expect(bucketEnd(2 * DAY, 30 * DAY)).toBe(2 * DAY);
    for (const expiry of [1, 999, 1000, 123_456_789]) {
      const end = bucketEnd(expiry, 5000);
      expect(end).toBeGreaterThanOrEqual(expiry);
      expect(end - expiry).toBeLessThan(bucketWidth(5000));
    }
  });
});
