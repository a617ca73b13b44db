import { DropCounter } from '../../../bridge/broker-counters';

describe('DropCounter', () => {
  it('reports drops the broker counted before the bridge first read the counter', () => {
    expect(new DropCounter().observe(0)).toBe(0);
    expect(new DropCounter().observe(17)).toBe(17);
  });

  it('reports every increase, and nothing while the counter stays put', () => {
    const c = new DropCounter();
    expect([0, 0, 5, 5, 12].map((v) => c.observe(v))).toEqual([0, 0, 5, 0, 7]);
  });

  it('counts from zero again after the broker restarted (a smaller value)', () => {
    const c = new DropCounter();
    expect([40, 0, 3].map((v) => c.observe(v))).toEqual([40, 0, 3]);
  });
});
