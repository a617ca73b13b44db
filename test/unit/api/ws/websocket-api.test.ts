import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { AuthCheck } from '../../../../api/auth/access';
import { bearerAuth } from '../../../../api/auth/bearer';
import { insufficientRole } from '../../../../api/auth/challenge';
import { staticTokenVerifier } from '../../../../api/auth/static-tokens';
import { ChangeHub } from '../../../../api/events/change-hub';
import { EventStreams } from '../../../../api/events/event-streams';
import { WebSocketApi } from '../../../../api/ws';
import { createLogger } from '../../../../shared/logger';
import { waitFor } from '../../../support/wait';
import { WsClient } from '../../../support/ws-client';
import { FakeTwinsLog } from '../events/fake-log';

/**
 * The WebSocket API over a real HTTP server and real `ws` clients, with device.twins in memory
 * (the EventStreams' shared reader is a ChangeHub fed by a FakeTwinsLog): the limits and closes
 * that the integration test does not reach.
 */
const verify = staticTokenVerifier([{ token: 'viewer-token', role: 'viewer' }]);
const bearer = bearerAuth(verify);
// A deployment whose weakest role cannot read does not exist; this check stands in for one.
const auth: AuthCheck = (req, access) => {
  if (req.get('authorization') === 'Bearer weak-token') throw insufficientRole('role too weak');
  return bearer(req, access);
};
const viewer = { authorization: 'Bearer viewer-token' };

let log: FakeTwinsLog;
let streams: EventStreams;
let websocket: WebSocketApi;
let server: Server;
let url: string;
let registry: Registry;
const clients: WsClient[] = [];

beforeEach(async () => {
  log = new FakeTwinsLog(4);
  registry = new Registry();
  const logger = createLogger({ write: () => undefined });
  streams = new EventStreams({
    startSharedReader: async () => {
      const hub = new ChangeHub(log.ends(), 100);
      const unsubscribe = log.subscribe((c) => hub.publish(c));
      return { hub, partitionCount: 4, stop: async () => void unsubscribe() };
    },
    startReplayReader: () => Promise.reject(new Error('not in these tests')),
    endOffsets: async () => log.ends(),
    maxStreams: 10,
    maxReplayConsumers: 0,
    heartbeatMs: 1000,
    logger,
    registry,
  });
  websocket = new WebSocketApi({
    source: streams,
    auth,
    limits: {
      maxConnections: 10,
      maxSubscriptions: 20,
      maxMessageBytes: 1024,
      maxBufferedBytes: 64 * 1024,
      authTimeoutMs: 5000,
      pingMs: 60_000,
      json: { maxBytes: 1024, maxDepth: 8, maxKeys: 50 },
    },
    logger,
    registry,
  });
  server = createServer((_req, res) => res.writeHead(404).end());
  websocket.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await websocket.close();
  await streams.close();
  await new Promise((resolve) => server.close(resolve));
});

async function connect(headers: Record<string, string> = viewer): Promise<WsClient> {
  const client = await WsClient.connect(url, headers);
  clients.push(client);
  return client;
}

async function metric(series: string): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('WebSocket API limits and closes', () => {
  it('closes a client that stops reading with 4509 instead of queueing without bound', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', twin_id: 'big-1' });
    await client.next('subscribed');
    client.socket.pause();
    const filler = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 200 && (await metric('twinfold_ws_subscriptions')) === 1; i++) {
      log.put('big-1', { attributes: { filler, i } });
      await new Promise((r) => setImmediate(r));
    }
    client.socket.resume();
    expect(await client.closed()).toBe(4509);
    expect(await metric('twinfold_ws_closes_total{code="4509"}')).toBe(1);
    expect(await metric('twinfold_ws_subscriptions')).toBe(0);
  });

  it('takes a replay larger than the limit for one burst, and closes 4509 at the next if it is not drained', async () => {
    const starter = await connect();
    starter.send({ action: 'subscribe', filter: {} });
    const from = (await starter.next('subscribed')).position!;
    starter.send({ action: 'unsubscribe', id: 'fleet' });
    await starter.next('unsubscribed');
    const filler = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 90; i++) log.put(`replay-${i % 7}`, { attributes: { filler, i } });
    const client = await connect();
    client.socket.pause();
    client.send({ action: 'subscribe', filter: {}, position: from });
    // `subscribed` goes out right before the replay, which runs in the same turn.
    await waitFor(
      'the replay',
      async () => (await metric('twinfold_ws_messages_sent_total{type="subscribed"}')) === 2,
    );
    expect(await metric('twinfold_ws_subscriptions')).toBe(1);
    log.put('replay-0', { attributes: { i: 90 } });
    await waitFor('the close', async () => (await metric('twinfold_ws_subscriptions')) === 0);
    client.socket.resume();
    expect(await client.closed()).toBe(4509);
    expect(client.ofType('twin_update', 'fleet')).toHaveLength(90);
  });

  it('sends a replay larger than the limit to a client that reads it', async () => {
    const filler = 'x'.repeat(60 * 1024);
    const client = await connect();
    client.send({ action: 'subscribe', twin_id: 'reader-1' });
    await client.next('subscribed');
    for (let i = 0; i < 90; i++) log.put('reader-1', { attributes: { filler, i } });
    await waitFor('every update', () => client.ofType('twin_update').length === 90);
    const back = await connect();
    back.send({
      action: 'subscribe',
      twin_id: 'reader-1',
      position: client.ofType('subscribed')[0]!.position!,
    });
    await waitFor('the replay', () => back.ofType('twin_update').length === 90);
    log.put('reader-1', { attributes: { i: 90 } });
    await waitFor('one more', () => back.ofType('twin_update').length === 91);
    expect(back.closeCode).toBeUndefined();
  });

  it('closes 1009 on a message over the size limit', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', twin_id: 'a', id: 'y'.repeat(2000) });
    expect(await client.closed()).toBe(1009);
  });

  it('refuses a weak role: 403 on the upgrade, 4403 after an auth message', async () => {
    const err: unknown = await connect({ authorization: 'Bearer weak-token' }).catch((e: unknown) => e);
    expect((err as { refusal: { status: number } }).refusal.status).toBe(403);
    const client = await connect({});
    client.send({ action: 'auth', token: 'weak-token' });
    expect(await client.closed()).toBe(4403);
  });

  it('answers 404 to an upgrade on another path', async () => {
    const err: unknown = await WsClient.connect(`${url}/api`).catch((e: unknown) => e);
    expect((err as { refusal: { status: number } }).refusal.status).toBe(404);
  });

  it('unsubscribes, refuses a second subscription of one id, and counts what it sends', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', twin_id: 'u-1' });
    await client.next('subscribed', 'u-1');
    client.send({ action: 'subscribe', twin_id: 'u-1' });
    expect(await client.next('error', 'u-1')).toMatchObject({ code: 'VALIDATION_ERROR' });
    log.put('u-1', { version: 4 });
    expect(await client.next('twin_update', 'u-1')).toMatchObject({ version: 4 });
    client.send({ action: 'unsubscribe', twin_id: 'u-1' });
    const unsubscribed = await client.next('unsubscribed', 'u-1');
    expect(unsubscribed.position).toBe(client.ofType('twin_update', 'u-1')[0]!.position);
    log.put('u-1', { version: 5 });
    client.send({ action: 'unsubscribe', id: 'u-1' });
    expect(await client.next('error', 'u-1', client.messages.indexOf(unsubscribed))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(client.ofType('twin_update', 'u-1')).toHaveLength(1);
    expect(await metric('twinfold_ws_messages_sent_total{type="twin_update"}')).toBe(1);
    expect(await metric('twinfold_ws_subscriptions')).toBe(0);
  });

  it('closes every connection with 1001 at shutdown, ending its subscriptions', async () => {
    const client = await connect();
    client.send({ action: 'subscribe', filter: {} });
    await client.next('subscribed', 'fleet');
    await websocket.close();
    expect(await client.closed()).toBe(1001);
    await waitFor('the subscription released', async () => (await metric('twinfold_ws_subscriptions')) === 0);
    expect(streams.stats()).toEqual({ shared: 0, own: 0 });
  });
});
