import { parseFleetPosition, parseTwinPosition } from '../../api/events/position';
import { partitionForKey } from '../../shared/partitioner';
import { ADMIN_TOKEN, api } from '../support/api-cluster';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';
import { QUIET_TIMERS } from '../support/workload';
import { WsClient, type WsMessage, type WsRefusal } from '../support/ws-client';

const PARTITIONS = 4;
const VIEWER_TOKEN = 'ws-tests-viewer-token-00000000001';
const MAX_CONNECTIONS = 6;
const MAX_SUBSCRIPTIONS = 3;

/**
 * The WebSocket API (/ws) against two real service processes over one broker: a subscriber on
 * either instance gets the changes of any twin (both read device.twins), authentication by header
 * or by auth message, the limits' close codes, resume from a position, fleet filters.
 */
describe('WebSocket API', () => {
  let d: Deployment;
  let a: ServiceInstance;
  let b: ServiceInstance;
  const clients: WsClient[] = [];
  const viewer = { authorization: `Bearer ${VIEWER_TOKEN}` };

  beforeAll(async () => {
    d = deployment('ws', {
      ...QUIET_TIMERS,
      PARTITIONS: String(PARTITIONS),
      AUTH_MODE: 'static',
      AUTH_TOKENS: `${ADMIN_TOKEN}:admin,${VIEWER_TOKEN}:viewer`,
      SSE_REPLAY_BUFFER: '4',
      WS_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      WS_MAX_SUBSCRIPTIONS: String(MAX_SUBSCRIPTIONS),
      WS_AUTH_TIMEOUT_MS: '1500',
    });
    [a, b] = await Promise.all([startService(d, 'a'), startService(d, 'b')]);
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await d?.cleanup();
  });

  const connect = async (s: ServiceInstance, headers: Record<string, string> = viewer): Promise<WsClient> => {
    const client = await WsClient.connect(s.url, headers);
    clients.push(client);
    return client;
  };
  const refusal = (err: unknown): WsRefusal => (err as { refusal: WsRefusal }).refusal;
  const create = async (id: string, type: string, attributes: Record<string, string> = {}): Promise<void> => {
    const res = await api(a.url, 'POST', '/api/v1/twins', { body: { id, type, attributes } });
    expect(res.status).toBe(202);
  };
  /** Changes the twin's attributes through REST: one new version. */
  const touch = async (id: string, n: number): Promise<void> => {
    const res = await api(a.url, 'PUT', `/api/v1/twins/${id}`, { body: { attributes: { n: String(n) } } });
    expect(res.status).toBe(202);
  };
  /** One series' value on an instance; undefined when /metrics lacks it. */
  const metric = async (s: ServiceInstance, series: string): Promise<number | undefined> => {
    const text = await (await fetch(`${s.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const versions = (messages: WsMessage[]): number[] => messages.map((m) => m.version!);

  it('pushes twin_update to a subscriber on the other instance, as seed 001 §8.2 prints it', async () => {
    const client = await connect(b);
    client.send({ action: 'subscribe', twin_id: 'ws-seed-1' });
    const subscribed = await client.next('subscribed', 'ws-seed-1');
    const start = parseTwinPosition(subscribed.position!, partitionForKey('ws-seed-1', PARTITIONS));
    await create('ws-seed-1', 'sensor');
    const update = await client.next('twin_update', 'ws-seed-1');
    expect(update).toMatchObject({ type: 'twin_update', twin_id: 'ws-seed-1', version: 1 });
    expect(update.state).toMatchObject({ id: 'ws-seed-1', type: 'sensor', version: 1 });
    expect(update.timestamp).toBe(update.state!.updatedAt);
    expect(parseTwinPosition(update.position!, partitionForKey('ws-seed-1', PARTITIONS))).toBeGreaterThan(
      start,
    );
  });

  it('refuses an upgrade with a bad Authorization header with 401, like REST', async () => {
    const err: unknown = await connect(a, { authorization: 'Bearer not-a-known-token' }).catch(
      (e: unknown) => e,
    );
    expect(refusal(err).status).toBe(401);
    expect(JSON.parse(refusal(err).body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect(refusal(err).challenge).toContain('invalid_token');
  });

  it('authenticates a browser by its first message, and closes 4401 on a bad one, 4408 on none', async () => {
    const good = await connect(a, {});
    good.send({ action: 'auth', token: VIEWER_TOKEN });
    expect(await good.next('authenticated')).toMatchObject({ role: 'viewer' });
    good.send({ action: 'subscribe', twin_id: 'ws-browser' });
    await good.next('subscribed', 'ws-browser');

    const bad = await connect(a, {});
    bad.send({ action: 'auth', token: 'wrong-token' });
    expect(await bad.closed()).toBe(4401);

    const early = await connect(a, {});
    early.send({ action: 'subscribe', twin_id: 'ws-browser' });
    expect(await early.closed()).toBe(4401);

    const silent = await connect(a, {});
    expect(await silent.closed()).toBe(4408);
  });

  it('answers invalid messages with an error and keeps the connection', async () => {
    const client = await connect(a);
    client.send('{not json');
    expect(await client.next('error')).toMatchObject({ code: 'MALFORMED_JSON' });
    client.send({ action: 'dance' });
    expect((await client.next('error', undefined, 1)).code).toBe('VALIDATION_ERROR');
    client.send({ action: 'subscribe', filter: { colour: 'red' } });
    expect((await client.next('error', undefined, 2)).message).toContain('unknown field colour');
    client.send({ action: 'subscribe', twin_id: 'ws-x', position: '99:0' });
    expect(await client.next('error', 'ws-x')).toMatchObject({ code: 'VALIDATION_ERROR' });
    client.send({ action: 'subscribe', twin_id: 'ws-x' });
    await client.next('subscribed', 'ws-x');
    expect(client.closeCode).toBeUndefined();
  });

  it('closes 4429 on one subscription too many, and 4503 on one connection too many', async () => {
    const client = await connect(a);
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++)
      client.send({ action: 'subscribe', twin_id: `ws-limit-${i}` });
    await waitFor('every subscription', () => client.ofType('subscribed').length === MAX_SUBSCRIPTIONS);
    client.send({ action: 'subscribe', filter: {} });
    expect(await client.closed()).toBe(4429);

    const open: WsClient[] = [];
    for (let i = 0; i < MAX_CONNECTIONS; i++) open.push(await connect(b));
    for (const c of open) {
      c.send({ action: 'subscribe', twin_id: 'ws-limit-0' });
      await c.next('subscribed');
    }
    const extra = await connect(b);
    expect(await extra.closed()).toBe(4503);
    expect(open.every((c) => c.closeCode === undefined)).toBe(true);
    expect(await metric(a, 'twinfold_ws_closes_total{code="4429"}')).toBe(1);
    expect(await metric(b, 'twinfold_ws_closes_total{code="4503"}')).toBe(1);
    expect(await metric(b, 'twinfold_ws_connections')).toBe(MAX_CONNECTIONS);
  });

  it('resumes from a position: exactly what was missed, from the buffer and from further back', async () => {
    const id = 'ws-resume';
    const first = await connect(a);
    first.send({ action: 'subscribe', twin_id: id });
    await first.next('subscribed', id);
    await create(id, 'sensor');
    await first.next('twin_update', id);
    await touch(id, 2);
    await waitFor('versions 1 and 2', () => first.ofType('twin_update', id).length === 2);
    const after2 = first.ofType('twin_update', id)[1]!.position!;
    first.close();
    // Missed while away: versions 3 and 4 (within the replay buffer of 4 records of device.twins).
    await touch(id, 3);
    await touch(id, 4);
    const back = await connect(b);
    back.send({ action: 'subscribe', twin_id: id, position: after2 });
    await waitFor('versions 3 and 4', () => back.ofType('twin_update', id).length === 2);
    expect(versions(back.ofType('twin_update', id))).toEqual([3, 4]);
    // From the very first position, long evicted from the buffer: a consumer of its own replays it all.
    const fleet = await connect(a);
    fleet.send({ action: 'subscribe', id: 'all', filter: { type: 'sensor' }, position: '0.0.0.0' });
    await waitFor('the whole history of the twin', () =>
      versions(fleet.ofType('twin_update', 'all').filter((m) => m.twin_id === id)).join() === '1,2,3,4'
        ? true
        : undefined,
    );
    const last = fleet.ofType('twin_update', 'all').at(-1)!;
    expect(parseFleetPosition(last.position!, PARTITIONS)).toHaveLength(PARTITIONS);
  });

  it('delivers to a fleet filter only the twins that match, by the list API parameters', async () => {
    const client = await connect(b);
    client.send({ action: 'subscribe', id: 'valves', filter: { type: 'valve', 'attr.site': 'north' } });
    await client.next('subscribed', 'valves');
    client.send({ action: 'subscribe', id: 'all', filter: {} });
    await client.next('subscribed', 'all');
    await create('ws-valve-n', 'valve', { site: 'north' });
    await create('ws-valve-s', 'valve', { site: 'south' });
    await create('ws-pump-n', 'pump', { site: 'north' });
    // Each change reaches 'valves' before 'all' (subscribed first): once 'all' has all three, 'valves' is complete.
    await waitFor(
      'all three twins',
      () => new Set(client.ofType('twin_update', 'all').map((m) => m.twin_id)).size === 3,
    );
    expect(client.ofType('twin_update', 'valves').map((m) => m.twin_id)).toEqual(['ws-valve-n']);
    client.send({ action: 'unsubscribe', id: 'valves' });
    expect(await client.next('unsubscribed', 'valves')).toHaveProperty('position');
  });
});
