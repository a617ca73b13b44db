import type { Request } from 'express';
import { datasetRoutes, type BehaviourDatasets } from '../../../api/routes/datasets';
import type { DatasetRow } from '../../../api/datasets/behaviour-rows';
import type { WindowRange } from '../../../api/datasets/kafka-behaviour-rows';
import { isTwinfoldError } from '../../../shared/errors';

const NOW = new Date(Date.UTC(2026, 0, 2));

function route(datasets: BehaviourDatasets | undefined) {
  const [spec] = datasetRoutes(datasets, () => NOW);
  const req = {} as Request;
  return (query: Record<string, string>) => spec!.handle({ req, params: {}, query, body: {} });
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (err) {
    return isTwinfoldError(err) ? `${err.code} ${String(err.details?.field ?? '')}`.trim() : String(err);
  }
}

describe('GET /datasets/behaviour', () => {
  const asked: WindowRange[] = [];
  const source = {
    rows: (range: WindowRange): AsyncIterable<DatasetRow> => {
      asked.push(range);
      return (async function* () {})();
    },
  };

  it('asks its source for the windows starting in [start, end), end defaulting to now', async () => {
    const get = route({ windowMs: 60_000, source });
    await get({ start: '2026-01-01', window: '60s' });
    await get({ start: '1767225600000', end: '2026-01-01T01:00:00Z', format: 'jsonl' });
    expect(asked).toEqual([
      { startMs: Date.UTC(2026, 0, 1), endMs: NOW.getTime() },
      { startMs: Date.UTC(2026, 0, 1), endMs: Date.UTC(2026, 0, 1, 1) },
    ]);
  });

  it('refuses bad queries with VALIDATION_ERROR and its field, and says when behaviour is off', async () => {
    const get = route({ windowMs: 60_000, source });
    expect(await code(get({}))).toBe('VALIDATION_ERROR start');
    expect(await code(get({ start: 'yesterday' }))).toBe('VALIDATION_ERROR start');
    expect(await code(get({ start: '2026-01-01', end: '2025-12-31' }))).toBe('VALIDATION_ERROR end');
    expect(await code(get({ start: '2026-01-01', format: 'parquet' }))).toBe('VALIDATION_ERROR format');
    expect(await code(get({ start: '2026-01-01', window: 'a minute' }))).toBe('VALIDATION_ERROR window');
    expect(await code(get({ start: '2026-01-01', window: '5m' }))).toBe('VALIDATION_ERROR window');
    expect(await code(route({ windowMs: undefined, source })({ start: '2026-01-01' }))).toBe(
      'BEHAVIOUR_DISABLED',
    );
    expect(await code(route(undefined)({ start: '2026-01-01' }))).toBe('NOT_READY');
  });
});
