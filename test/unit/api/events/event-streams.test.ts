import { Registry } from 'prom-client';
import { ChangeHub } from '../../../../api/events/change-hub';
import { EventStreams } from '../../../../api/events/event-streams';
import type { StreamCursor } from '../../../../api/events/stream-cursor';
import type { TwinChange } from '../../../../api/events/twin-change';
import { createLogger } from '../../../../shared/logger';
import { SseClient } from '../../../support/sse-client';
import { waitFor } from '../../../support/wait';
import { apiError, startTestApi, type TestApi } from '../harness';
import { FakeTwinsLog } from './fake-log';

/**
 * The event routes over HTTP with the Kafka readers replaced by an in-memory device.twins: the
 * shared reader is a ChangeHub fed by the log, a stream's own reader replays the log.
 */
let log: FakeTwinsLog;
let streams: EventStreams;
let api: TestApi;
let clients: SseClient[];
const ownReaders = { started: 0, stopped: 0 };
const sharedReaders = { started: 0, stopped: 0 };

function setup(
  options: { maxStreams?: number; maxReplayConsumers?: number; buffer?: number } = {},
): Promise<void> {
  return (async () => {
    log = new FakeTwinsLog(4);
    for (let i = 0; i < 8; i++) log.put(`old-${i}`, {});
    streams = new EventStreams({
      startSharedReader: async () => {
        sharedReaders.started += 1;
        const hub = new ChangeHub(log.ends(), options.buffer ?? 100);
        const unsubscribe = log.subscribe((c) => hub.publish(c));
        return {
          hub,
          partitionCount: 4,
          stop: async () => {
            sharedReaders.stopped += 1;
            unsubscribe();
          },
        };
      },
      startReplayReader: async (cursor: StreamCursor, onChange: (c: TwinChange) => void) => {
        ownReaders.started += 1;
        for (const c of log.records) if (cursor.partitions().includes(c.partition)) onChange(c);
        const unsubscribe = log.subscribe(onChange);
        return {
          stop: async () => {
            ownReaders.stopped += 1;
            unsubscribe();
          },
        };
      },
      endOffsets: async () => log.ends(),
      maxStreams: options.maxStreams ?? 10,
      maxReplayConsumers: options.maxReplayConsumers ?? 2,
      heartbeatMs: 100,
      logger: createLogger({ write: () => undefined }),
      registry: new Registry(),
    });
    api = await startTestApi({ events: streams });
    clients = [];
  })();
}

async function connect(path: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const client = await SseClient.connect(api.url + path, headers);
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const c of clients) c.close();
  await streams.close();
  await api.close();
});

const twinIds = (c: SseClient): string[] => c.events.map((e) => (JSON.parse(e.data!) as { id: string }).id);

describe('GET /api/v1/events and /api/v1/twins/:id/events', () => {
  beforeEach(() => setup());

  it('streams changes from now on, with a retry hint, a starting id and heartbeats', async () => {
    const client = await connect('/api/v1/events');
    expect(client.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.response.headers['cache-control']).toBe('no-cache, no-transform');
    await waitFor('the first block', () => client.blocks.length > 0);
    expect(client.blocks[0]).toEqual({ retry: 2000, id: log.ends().join('.') });
    log.put('a-1', {});
    log.put('a-2', null);
    await client.waitFor('two events', (e) => e.length === 2);
    expect(client.events[0]!.event).toBe('twin');
    expect(JSON.parse(client.events[0]!.data!)).toMatchObject({ id: 'a-1', type: 'temperature_sensor' });
    expect(client.events[1]).toMatchObject({ event: 'deleted', data: '{"id":"a-2"}' });
    expect(client.lastEventId).toBe(log.ends().join('.'));
    await waitFor('a heartbeat', () => client.comments > 0);
  });

  it('filters the fleet by type, status, lifecycle and attributes (deletions always pass)', async () => {
    const client = await connect('/api/v1/events?type=valve&lifecycle=active&attr.room=A');
    log.put('v-1', { type: 'valve', attributes: { room: 'A' } });
    log.put('v-2', { type: 'valve', attributes: { room: 'B' } });
    log.put('s-1', { type: 'sensor', attributes: { room: 'A' } });
    log.put('v-3', { type: 'valve', lifecycle: 'suspended', attributes: { room: 'A' } });
    log.put('v-4', null);
    log.put('v-5', { type: 'valve', attributes: { room: 'A' } });
    await client.waitFor('the matches', (e) => e.length === 3);
    expect(twinIds(client)).toEqual(['v-1', 'v-4', 'v-5']);
    expect(client.events.map((e) => e.event)).toEqual(['twin', 'deleted', 'twin']);
  });

  it("streams one twin's changes with '<partition>:<offset>' ids", async () => {
    const client = await connect('/api/v1/twins/t-1/events');
    log.put('t-2', {});
    const first = log.put('t-1', { version: 1 });
    log.put('t-1', { version: 2 });
    await client.waitFor('two changes of t-1', (e) => e.length === 2);
    expect(twinIds(client)).toEqual(['t-1', 't-1']);
    expect(client.events[0]!.id).toBe(`${first.partition}:${first.offset + 1}`);
  });

  it('resumes from Last-Event-ID out of the replay buffer: nothing missed, nothing twice', async () => {
    const first = await connect('/api/v1/events');
    log.put('r-1', {});
    await first.waitFor('r-1', (e) => e.length === 1);
    first.close();
    await waitFor('the stream to be released', () => streams.stats().shared === 0);
    log.put('r-2', {});
    log.put('r-3', {});
    const second = await connect('/api/v1/events', { 'last-event-id': first.lastEventId! });
    log.put('r-4', {});
    await second.waitFor('r-2..r-4', (e) => e.length === 3);
    expect(twinIds(second)).toEqual(['r-2', 'r-3', 'r-4']);
    expect(ownReaders.started).toBe(0);
  });

  it('answers 400 for a Last-Event-ID it did not send', async () => {
    const res = await api.request('GET', '/api/v1/events', { headers: { 'last-event-id': 'nonsense' } });
    expect(res.status).toBe(400);
    expect(apiError(res).code).toBe('VALIDATION_ERROR');
    const twin = await api.request('GET', '/api/v1/twins/t-1/events', {
      headers: { 'last-event-id': '1.2' },
    });
    expect(twin.status).toBe(400);
  });

  it('answers 400 for a Last-Event-ID naming too few partitions or beyond the end of device.twins', async () => {
    const ends = log.ends();
    const refused = async (path: string, id: string, message: RegExp): Promise<void> => {
      const res = await api.request('GET', path, { headers: { 'last-event-id': id } });
      expect({ id, status: res.status, code: apiError(res).code }).toEqual({
        id,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
      expect(apiError(res).message).toMatch(message);
    };
    await refused('/api/v1/events', ends.slice(0, 3).join('.'), /names 3 partitions; device.twins has 4/);
    const far = ends.map((e, p) => (p === 2 ? e + 1_000_000 : e)).join('.');
    await refused('/api/v1/events', far, /beyond the end of device.twins \(partition 2: /);
    const twin = log.put('t-far', {});
    await refused(
      '/api/v1/twins/t-far/events',
      `${twin.partition}:${twin.offset + 1000}`,
      /beyond the end of device.twins/,
    );
    // The end itself is where a stream that saw everything stands: accepted.
    const atEnd = await connect('/api/v1/events', { 'last-event-id': log.ends().join('.') });
    expect(atEnd.lastEventId).toBe(log.ends().join('.'));
  });

  it('rejects unknown query parameters and invalid ids like every route', async () => {
    expect((await api.request('GET', '/api/v1/events?limit=5')).status).toBe(400);
    expect((await api.request('GET', '/api/v1/twins/bad%20id/events')).status).toBe(400);
  });

  it('ends every stream and stops reading on close', async () => {
    const client = await connect('/api/v1/events');
    await streams.close();
    await waitFor('the stream to end', () => client.ended);
    expect(sharedReaders.stopped).toBe(sharedReaders.started);
    const res = await api.request('GET', '/api/v1/events');
    expect(res.status).toBe(503);
  });
});

describe('event streams beyond the replay buffer and the caps', () => {
  it('resumes from further back with a reader of its own, stopped when the client leaves', async () => {
    await setup({ buffer: 3 });
    const first = await connect('/api/v1/events');
    log.put('f-1', {});
    await first.waitFor('f-1', (e) => e.length === 1);
    first.close();
    for (let i = 2; i <= 9; i++) log.put(`f-${i}`, {});
    const before = { ...ownReaders };
    const second = await connect('/api/v1/events', { 'last-event-id': first.lastEventId! });
    log.put('f-10', {});
    await second.waitFor('f-2..f-10', (e) => e.length === 9);
    expect(twinIds(second)).toEqual(['f-2', 'f-3', 'f-4', 'f-5', 'f-6', 'f-7', 'f-8', 'f-9', 'f-10']);
    expect(ownReaders.started).toBe(before.started + 1);
    expect(streams.stats()).toEqual({ shared: 0, own: 1 });
    second.close();
    await waitFor('the own reader to stop', () => ownReaders.stopped === before.stopped + 1);
    expect(streams.stats()).toEqual({ shared: 0, own: 0 });
  });

  it('answers 503 with Retry-After beyond SSE_MAX_STREAMS, and frees slots when clients leave', async () => {
    await setup({ maxStreams: 2 });
    const a = await connect('/api/v1/events');
    await connect('/api/v1/twins/x/events');
    const res = await api.request('GET', '/api/v1/events');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(apiError(res).code).toBe('NOT_READY');
    a.close();
    await waitFor('a free slot', () => streams.stats().shared === 1);
    await connect('/api/v1/events');
  });

  it('answers 503 beyond SSE_MAX_REPLAY_CONSUMERS', async () => {
    await setup({ buffer: 1, maxReplayConsumers: 0 });
    const first = await connect('/api/v1/events');
    first.close();
    for (let i = 0; i < 5; i++) log.put(`g-${i}`, {});
    const res = await api.request('GET', '/api/v1/events', {
      headers: { 'last-event-id': first.lastEventId! },
    });
    expect(res.status).toBe(503);
  });

  it('answers 503 when the routes have no event source', async () => {
    const plain = await startTestApi();
    try {
      expect((await plain.request('GET', '/api/v1/events')).status).toBe(503);
    } finally {
      await plain.close();
    }
  });
});
