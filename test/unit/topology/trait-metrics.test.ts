import { Registry } from 'prom-client';
import { ProcessorMetrics } from '../../../topology/metrics';
import { emptyCounts } from '../../../topology/twin-stats';
import type { TwinEvent } from '../../../topology/twin';

const event = (type: TwinEvent['type'], data: TwinEvent['data']): TwinEvent => ({
  type,
  deviceId: 'd',
  version: 1,
  timestamp: '2026-11-24T10:00:00.000Z',
  data,
});

describe('trait metrics', () => {
  it('count alerts raised and cleared by type, rule firings by rule, twins by health', async () => {
    const registry = new Registry();
    const counts = { ...emptyCounts(), healthy: 2, failed: 1, noTraits: 4 };
    const metrics = new ProcessorMetrics(registry, () => [counts]);
    metrics.countEvents([
      event('alert.raised', { type: 'SPIKE' }),
      event('alert.raised', { type: 'SPIKE' }),
      event('alert.cleared', { type: 'STUCK' }),
      event('rule.fired', { ruleId: 'dehumidify', commandId: 'c' }),
      event('command.status', { status: 'pending' }),
    ]);
    const text = await registry.metrics();
    expect(text).toContain('twinfold_alerts_raised_total{type="SPIKE"} 2');
    expect(text).toContain('twinfold_alerts_cleared_total{type="STUCK"} 1');
    expect(text).toContain('twinfold_rule_firings_total{rule="dehumidify"} 1');
    expect(text).toContain('twinfold_twins_by_health{health="HEALTHY"} 2');
    expect(text).toContain('twinfold_twins_by_health{health="FAILED"} 1');
    expect(text).toContain('twinfold_twins_by_health{health="none"} 4');
  });
});
