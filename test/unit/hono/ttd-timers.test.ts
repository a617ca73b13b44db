import { OfflineTimers } from '../../../adapters/hono/ttd-timers';

describe('ttd windows', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes offline when a window closes, once, unless a newer window or status replaced it', () => {
    const fired: string[] = [];
    const sizes: number[] = [];
    const timers = new OfflineTimers(
      (id) => fired.push(id),
      (n) => sizes.push(n),
    );
    const now = Date.now();
    timers.apply({ twinId: 'acme:a', offlineAtMs: now + 1000 });
    timers.apply({ twinId: 'acme:b', offlineAtMs: now + 1000 });
    timers.apply({ twinId: 'acme:c', offlineAtMs: now + 1000 });
    // a: a longer window; b: ttd -1 (no end); c: as it was.
    timers.apply({ twinId: 'acme:a', offlineAtMs: now + 5000 });
    timers.apply({ twinId: 'acme:b', offlineAtMs: null });
    expect(timers.size).toBe(2);
    jest.advanceTimersByTime(1000);
    expect(fired).toEqual(['acme:c']);
    jest.advanceTimersByTime(4000);
    expect(fired).toEqual(['acme:c', 'acme:a']);
    jest.advanceTimersByTime(60_000);
    expect(fired).toEqual(['acme:c', 'acme:a']);
    expect(sizes[sizes.length - 1]).toBe(0);
  });

  it('closes a window already over at once, and forgets all on clear', () => {
    const fired: string[] = [];
    const timers = new OfflineTimers((id) => fired.push(id));
    timers.apply({ twinId: 'acme:late', offlineAtMs: Date.now() - 10 });
    timers.apply({ twinId: 'acme:open', offlineAtMs: Date.now() + 10 });
    jest.advanceTimersByTime(0);
    expect(fired).toEqual(['acme:late']);
    timers.clear();
    jest.advanceTimersByTime(1000);
    expect(fired).toEqual(['acme:late']);
  });
});
