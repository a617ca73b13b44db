import { RoutedFleet, type FleetQueries } from '../../../api/routes/health-fanout';
import type { FleetHealth } from '../../../api/routes/health-summary';

const health = (partitions: number[], healthy: number, worst: string[]): FleetHealth => ({
  evaluatedAt: '2026-11-24T10:00:00.000Z',
  total: healthy,
  counts: { HEALTHY: healthy, DEGRADED: 0, FAILED: 0, UNKNOWN: 0 },
  worst: worst.map((id, i) => ({ id, type: 't', score: 50 + i, status: 'FAILED', issues: [] })),
  partitions,
});

/** An instance whose local answers cover `partitions`. */
function instance(partitions: number[], healthy: number, worst: string[]): FleetQueries {
  return {
    traits: async () => undefined,
    health: async () => health(partitions, healthy, worst),
    alerts: async () => ({ count: 0, alerts: [], partitions }),
    ruleFirings: async (ruleId) => ({ ruleId, count: 0, firings: [], partitions }),
  };
}

/** Two instances through the routing layer's fan-out over `partitionCount` partitions. */
function fleet(local: FleetQueries, peer: FleetQueries, partitionCount = 4): RoutedFleet {
  const routing = {
    fanOut: async <T>(l: () => Promise<T>, r: (url: string) => Promise<T>) => ({
      answers: [await l(), await r('http://b')],
      partitionCount,
    }),
    routeTwin: async <T>(_id: string, l: () => Promise<T>) => l(),
  };
  return new RoutedFleet(
    routing,
    local,
    () => peer,
    () => Date.UTC(2026, 10, 24, 10),
  );
}

describe('fleet questions over several instances', () => {
  it('merges the instances that together cover every partition', async () => {
    const answer = await fleet(instance([0, 1], 3, ['a']), instance([2, 3], 4, ['b'])).health({
      worst: 1,
      filter: {},
    });
    expect(answer.total).toBe(7);
    expect(answer.counts.HEALTHY).toBe(7);
    expect(answer.worst.map((w) => w.id)).toEqual(['a']);
    expect(answer.partitions).toBeUndefined();
  });

  it('answers 503 NOT_READY rather than a partial answer when a partition is missing', async () => {
    const routed = fleet(instance([0, 1], 3, []), instance([2], 4, []));
    await expect(routed.health({ worst: 1, filter: {} })).rejects.toMatchObject({ code: 'NOT_READY' });
    await expect(routed.alerts({ limit: 10, filter: {} })).rejects.toMatchObject({ code: 'NOT_READY' });
    await expect(routed.ruleFirings('r', 10)).rejects.toMatchObject({ code: 'NOT_READY' });
  });
});
