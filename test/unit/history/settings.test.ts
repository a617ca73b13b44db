import { loadConfig } from '../../../shared/config';
import { duration, keyValueList } from '../../../shared/env-parsers';
import { processorSettings } from '../../../topology/processor-settings';
import { historyChangelogPlan } from '../../../topology/history/changelog-topic';

const DAY = 86_400_000;

describe('history settings', () => {
  it('durations: a number with a unit, or milliseconds, within bounds', () => {
    const d = duration(1000);
    expect(d('30d')).toBe(30 * DAY);
    expect(d('12h')).toBe(12 * 3_600_000);
    expect(d('90s')).toBe(90_000);
    expect(d('1500')).toBe(1500);
    expect(() => d('500ms')).toThrow('between 1000 ms');
    expect(() => d('1w')).toThrow('must be a duration');
    expect(() => d('-5s')).toThrow('must be a duration');
  });

  it('key=value lists: unique keys, each value parsed, empty is none', () => {
    const list = keyValueList(/^[a-z]+$/, duration(1000));
    expect([...list('sensor=7d, camera=1d')]).toEqual([
      ['sensor', 7 * DAY],
      ['camera', DAY],
    ]);
    expect(list('').size).toBe(0);
    expect(() => list('sensor=7d,sensor=1d')).toThrow('given twice');
    expect(() => list('sensor')).toThrow('is not key=value');
    expect(() => list('sensor=soon')).toThrow('sensor: must be a duration');
  });

  it('defaults to history on, kept 30 days, in <applicationId>-history-changelog', () => {
    const settings = processorSettings(loadConfig({ TWINFOLD_APPLICATION_ID: 'app' }));
    expect(settings.history?.changelogTopic).toBe('app-history-changelog');
    expect(settings.history?.retention.maxMs).toBe(30 * DAY);
    expect(processorSettings(loadConfig({ HISTORY: 'off' })).history).toBeUndefined();
    expect(() => loadConfig({ HISTORY: 'maybe' })).toThrow('HISTORY');
    expect(() => loadConfig({ HISTORY_RETENTION_BY_TYPE: 'camera=forever' })).toThrow(
      'HISTORY_RETENTION_BY_TYPE',
    );
  });

  it('gives the changelog a delete policy and the longest retention', () => {
    const config = loadConfig({
      HISTORY_RETENTION: '7d',
      HISTORY_RETENTION_BY_TYPE: 'archive=90d,camera=1d',
    });
    const plan = historyChangelogPlan(processorSettings(config).history!);
    expect(plan).toMatchObject({ compacted: false, coPartitioned: true });
    expect(plan.configEntries).toEqual(
      expect.arrayContaining([
        { name: 'cleanup.policy', value: 'delete' },
        { name: 'retention.ms', value: String(90 * DAY) },
      ]),
    );
  });
});
