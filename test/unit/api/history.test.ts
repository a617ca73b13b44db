import { Registry } from 'prom-client';
import { createApp } from '../../../api/app';
import { allowAll } from '../../../api/auth';
import type { ErrorEnvelope } from '../../../api/envelope';
import { ProcessorBackend } from '../../../api/processor-backend';
import { startApiServer, type ApiServer } from '../../../api/server';
import { createLogger } from '../../../shared/logger';
import { inputTopics, topicNames } from '../../../shared/topics';
import type { CommitNotice } from '../../../topology/commit-notice';
import { LocalTwinQueries } from '../../../topology/local-queries';
import { ProcessorEvents } from '../../../topology/processor-events';
import { DEFAULT_FOLD_CONFIG } from '../../../topology/twin';
import { TaskDriver } from '../../support/task-driver';
import { startTestApi, type TestApi } from './harness';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const topics = topicNames({ topicPrefix: '' });
const kindOf = new Map(inputTopics(topics).map(({ topic, kind }) => [topic, kind]));

interface Answer {
  status: number;
  type: string | null;
  text: string;
  body: { data?: Record<string, unknown>; error?: ErrorEnvelope['error'] } | undefined;
}

/**
 * The API over one real partition task with a history store (the task driver): the processor's
 * own ProcessorBackend, LocalTwinQueries and PartitionHistory, no broker; writes the API produces
 * are piped into the task with their headers.
 */
async function startHistoryApi(): Promise<{
  d: TaskDriver;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  send(method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}> {
  const events = new ProcessorEvents();
  const onCommitted = (notice: CommitNotice): void => void events.emit('committed', notice);
  const d = await TaskDriver.start({ startMs: T0, history: {}, onCommitted });
  const queries = new LocalTwinQueries({
    events,
    partitions: 1,
    taskManager: { runningTask: () => d.task, tasks: () => [d.task] },
  });
  const backend = new ProcessorBackend({
    producer: {
      send: (topic, key, value, headers = {}) =>
        d.pipe(kindOf.get(topic)!, { deviceId: key, value, headers }),
    },
    queries,
    history: queries,
    readiness: () => ({ ready: true, status: 'running' }),
    topics,
    limits: DEFAULT_FOLD_CONFIG.downlinkLimits,
    foldConfig: DEFAULT_FOLD_CONFIG,
    writeOutcomeTimeoutMs: 1000,
    now: () => d.clock.ms,
  });
  const app = createApp({
    backend,
    logger: createLogger({ level: 'error' }),
    metricsRegistry: new Registry(),
    maxBodyBytes: 4096,
    auth: allowAll,
    now: () => new Date(d.clock.ms),
  });
  const server: ApiServer = await startApiServer(app, '127.0.0.1', 0, { shutdownTimeoutMs: 2000 });
  const send = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const res = await fetch(server.url + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: Answer['body'];
    try {
      parsed = JSON.parse(text) as Answer['body'];
    } catch {
      parsed = undefined;
    }
    return { status: res.status, type: res.headers.get('content-type'), text, body: parsed };
  };
  return {
    d,
    get: (path, headers) => send('GET', path, undefined, headers),
    send,
    close: async () => {
      await server.close();
      await d.close();
    },
  };
}

type HistoryApi = Awaited<ReturnType<typeof startHistoryApi>>;

/** Three readings of dev-1 a second apart, then a desired patch with a reason. */
async function seed(api: HistoryApi): Promise<void> {
  for (let i = 0; i < 3; i++) {
    api.d.clock.advance(1000);
    await api.d.pipe('telemetry', {
      deviceId: 'dev-1',
      value: { temperature: 20 + i, humidity: 50, label: i === 1 ? 'a,"b"' : 'x' },
    });
  }
  api.d.clock.advance(1000);
  const patched = await api.send(
    'PATCH',
    '/api/v1/twins/dev-1/desired',
    { interval: 10 },
    { 'X-Change-Reason': 'slower sampling' },
  );
  expect(patched.status).toBe(202);
}

const iso = (ms: number): string => new Date(ms).toISOString();

describe('history routes over a real partition task', () => {
  let api: HistoryApi;
  beforeEach(async () => {
    api = await startHistoryApi();
    await seed(api);
  });
  afterEach(async () => api.close());

  it('pages telemetry in seed 001 shape and follows the cursor', async () => {
    const first = await api.get(`/api/v1/twins/dev-1/telemetry?start=${T0}&limit=2`);
    expect(first.status).toBe(200);
    const page = first.body!.data!;
    expect(page).toMatchObject({ twin_id: 'dev-1', count: 2 });
    expect(page.telemetry).toEqual([
      {
        timestamp: iso(T0 + 1000),
        receivedAt: iso(T0 + 1000),
        source: 'telemetry',
        values: { temperature: 20, humidity: 50, label: 'x' },
      },
      {
        timestamp: iso(T0 + 2000),
        receivedAt: iso(T0 + 2000),
        source: 'telemetry',
        values: { temperature: 21, humidity: 50, label: 'a,"b"' },
      },
    ]);
    const next = await api.get(
      `/api/v1/twins/dev-1/telemetry?start=${T0}&limit=2&cursor=${String(page.nextCursor)}`,
    );
    expect(next.body!.data).toMatchObject({ count: 1, nextCursor: null });
  });

  it('streams CSV with the columns found in the range, or those asked for, and NDJSON', async () => {
    const csv = await api.get('/api/v1/twins/dev-1/telemetry', { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')).toEqual([
      'timestamp,receivedAt,source,clock,temperature,humidity,label',
      `${iso(T0 + 1000)},${iso(T0 + 1000)},telemetry,,20,50,x`,
      `${iso(T0 + 2000)},${iso(T0 + 2000)},telemetry,,21,50,"a,""b"""`,
      `${iso(T0 + 3000)},${iso(T0 + 3000)},telemetry,,22,50,x`,
      '',
    ]);
    const picked = await api.get('/api/v1/twins/dev-1/telemetry?format=csv&fields=temperature&order=desc');
    expect(picked.text.split('\r\n').slice(0, 2)).toEqual([
      'timestamp,receivedAt,source,clock,temperature',
      `${iso(T0 + 3000)},${iso(T0 + 3000)},telemetry,,22`,
    ]);
    const ndjson = await api.get('/api/v1/twins/dev-1/telemetry?format=ndjson');
    const lines = ndjson.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { values: { temperature: number } });
    expect(lines.map((l) => l.values.temperature)).toEqual([20, 21, 22]);
  });

  it('aggregates a field into buckets', async () => {
    const res = await api.get(
      `/api/v1/twins/dev-1/telemetry/aggregate?field=temperature&bucket=2s&fn=avg,max,count&start=${T0}&end=${T0 + 4000}`,
    );
    expect(res.status).toBe(200);
    expect(res.body!.data!.buckets).toEqual([
      { start: iso(T0), end: iso(T0 + 2000), count: 1, avg: 20, max: 20 },
      { start: iso(T0 + 2000), end: iso(T0 + 4000), count: 2, avg: 21.5, max: 22 },
    ]);
  });

  it('lists versions with who and why, answers changes since a version and the twin at a time', async () => {
    const history = await api.get('/api/v1/twins/dev-1/history?kind=desired');
    const changes = history.body!.data!.changes as {
      version: number;
      actor: string;
      reason?: string;
      kinds: string[];
    }[];
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ version: 4, actor: 'anonymous', reason: 'slower sampling' });
    expect(changes[0]!.kinds).toContain('desired');

    const since = await api.get('/api/v1/twins/dev-1/changes?sinceVersion=3');
    expect(since.body!.data).toMatchObject({ fromVersion: 3, version: 4 });
    expect((since.body!.data!.patch as { desired: unknown }).desired).toEqual({ interval: 10 });

    const at = await api.get(`/api/v1/twins/dev-1?at=${encodeURIComponent(iso(T0 + 2500))}`);
    expect(at.status).toBe(200);
    expect(at.body!.data).toMatchObject({ version: 2, reported: { temperature: 21 } });
    expect((await api.get(`/api/v1/twins/dev-1?at=${T0}`)).status).toBe(404);
    expect((await api.get('/api/v1/twins/nobody/telemetry')).status).toBe(404);
  });

  it.each([
    ['telemetry?start=yesterday', 'start'],
    ['telemetry?start=2026-11-24T10:00:00', 'start'],
    [`telemetry?start=${T0 + 10}&end=${T0}`, 'end'],
    ['telemetry?limit=10001', 'limit'],
    ['telemetry?fields=a..b', 'fields'],
    ['telemetry?fields=__proto__', 'fields'],
    ['telemetry?cursor=eyJ0YW1wZXJlZCI6dHJ1ZX0', 'cursor'],
    ['telemetry?format=xml', 'format'],
    [`telemetry/aggregate?field=temperature&bucket=1s&start=${T0}&end=${T0 + 10_001_000}`, 'bucket'],
    ['telemetry/aggregate?field=temperature&fn=median', 'fn'],
    ['telemetry/aggregate?field=a[0]', 'field'],
    ['telemetry/aggregate?field=temperature&bucket=1w', 'bucket'],
    ['history?kind=everything', 'kind'],
    ['history?fromVersion=5&toVersion=2', 'toVersion'],
    ['history?cursor=not-a-cursor', 'cursor'],
    ['changes', 'sinceVersion'],
    ['changes?sinceVersion=-1', 'sinceVersion'],
  ])('refuses %s with 400 on %s', async (path, field) => {
    const res = await api.get(`/api/v1/twins/dev-1/${path}`);
    expect(res.status).toBe(400);
    expect(res.body!.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field } });
  });

  it('refuses a cursor of another device, and a tampered one, with 400', async () => {
    await api.d.pipe('telemetry', { deviceId: 'dev-2', value: { temperature: 1 } });
    await api.d.pipe('telemetry', { deviceId: 'dev-2', value: { temperature: 2 } });
    const page = await api.get('/api/v1/twins/dev-1/telemetry?limit=1');
    const cursor = String(page.body!.data!.nextCursor);
    const other = await api.get(`/api/v1/twins/dev-2/telemetry?limit=1&cursor=${cursor}`);
    expect(other.status).toBe(400);
    const tampered = cursor.slice(0, -2) + (cursor.endsWith('A') ? 'BB' : 'AA');
    const res = await api.get(`/api/v1/twins/dev-1/telemetry?limit=1&cursor=${tampered}`);
    expect(res.body!.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { field: 'cursor' } });
  });

  it('refuses an X-Change-Reason with control characters, and `at` with minVersion', async () => {
    const bad = await api.send(
      'PATCH',
      '/api/v1/twins/dev-1/desired',
      { interval: 1 },
      { 'X-Change-Reason': 'a\tb' },
    );
    expect(bad.body!.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { field: 'X-Change-Reason' },
    });
    const both = await api.get(`/api/v1/twins/dev-1?at=${T0}&minVersion=1`);
    expect(both.body!.error).toMatchObject({ details: { field: 'at' } });
  });
});

describe('history routes without history', () => {
  let api: TestApi;
  beforeEach(async () => (api = await startTestApi()));
  afterEach(async () => api.close());

  it('answer 501 HISTORY_DISABLED', async () => {
    await api.backend.registerTwin({ id: 'dev-1', type: 't', attributes: {} });
    const res = await api.request('GET', '/api/v1/twins/dev-1/history');
    expect(res.status).toBe(501);
    expect((res.body as ErrorEnvelope).error.code).toBe('HISTORY_DISABLED');
  });
});
