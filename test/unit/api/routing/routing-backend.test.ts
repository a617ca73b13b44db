import { Registry } from 'prom-client';
import { createApp } from '../../../../api/app';
import type { AuthCheck } from '../../../../api/auth';
import type { TwinListQuery, TwinPage } from '../../../../api/backend';
import type { FleetAggregatePage, FleetAggregateQuery } from '../../../../api/fleet-aggregate';
import { decodeCursor, encodeCursor } from '../../../../api/list-cursor';
import { MemoryBackend } from '../../../../api/memory-backend';
import { ForwardMetrics } from '../../../../api/routing/forward-metrics';
import { instancesView } from '../../../../api/routing/instances-view';
import { PeerClient } from '../../../../api/routing/peer-client';
import { RemoteBackend } from '../../../../api/routing/remote-backend';
import { FORWARDED_HEADER } from '../../../../api/routing/request-context';
import { RoutingBackend, type OwnershipView } from '../../../../api/routing/routing-backend';
import { startApiServer, type ApiServer } from '../../../../api/server';
import type { TwinDocument } from '../../../../api/twin-document';
import { createLogger } from '../../../../shared/logger';
import { partitionForKey } from '../../../../shared/partitioner';
import type { OwnershipState } from '../../../../topology/partition-owners';
import { putTwin, twinFixture } from '../harness';

const COUNT = 4;

/** One instance's stores: the twins of its partitions, listed the way ProcessorBackend lists them. */
class ShardBackend extends MemoryBackend {
  constructor(public partitions: number[]) {
    super();
  }

  override async listTwins(query: TwinListQuery): Promise<TwinPage> {
    const after = decodeCursor(query.cursor);
    const all = (await super.listTwins({ limit: 1000, filter: query.filter })).twins.filter(
      (t) => after === undefined || t.id > after,
    );
    const twins = all.slice(0, query.limit);
    const last = twins[twins.length - 1];
    const nextCursor = all.length > query.limit && last ? encodeCursor(last.id) : null;
    return { twins, nextCursor, partitions: this.partitions };
  }

  override async aggregateTwins(query: FleetAggregateQuery): Promise<FleetAggregatePage> {
    return { ...(await super.aggregateTwins(query)), partitions: this.partitions };
  }
}

interface Instance {
  name: string;
  url: string;
  store: ShardBackend;
  server: ApiServer;
  client: PeerClient;
  registry: Registry;
  /** Authorization headers (or '-') of the requests this instance received. */
  received: string[];
}

describe('RoutingBackend: two instances in one process', () => {
  let state: OwnershipState;
  let instances: Instance[];
  const ids = Array.from({ length: 40 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
  const partitionOf = (id: string): number => partitionForKey(id, COUNT);
  const ownerIndex = (partition: number): number => (partition < 2 ? 0 : 1);
  const owned = (i: number): string[] => ids.filter((id) => ownerIndex(partitionOf(id)) === i);
  const docs = new Map(ids.map((id) => [id, twinFixture(id, { version: id.length + 3 })]));

  function ownership(self: () => string): OwnershipView {
    const owners = (): Map<number, string> =>
      new Map([0, 1, 2, 3].map((p) => [p, instances[ownerIndex(p)]!.url]));
    return {
      get self() {
        return self();
      },
      queryMetadataForKey: (key) => {
        const partition = partitionOf(key);
        return { partition, activeHost: state === 'current' ? owners().get(partition) : undefined };
      },
      snapshot: () => ({
        self: self(),
        state,
        partitionCount: COUNT,
        owners: owners(),
        refreshedAt: new Date(),
        ...(state === 'current' ? {} : { reason: 'a rebalance began' }),
      }),
    };
  }

  async function startInstance(name: string, partitions: number[]): Promise<Instance> {
    const store = new ShardBackend(partitions);
    const registry = new Registry();
    const received: string[] = [];
    const instance = { name, store, registry, received } as Instance;
    const owners = ownership(() => instance.url);
    instance.client = new PeerClient({ self: name, timeoutMs: 2000, metrics: new ForwardMetrics(registry) });
    const servesLocally = (p: number): boolean => store.partitions.includes(p);
    const backend = new RoutingBackend({
      local: store,
      owners,
      servesLocally,
      peer: (url) => new RemoteBackend(instance.client, url),
    });
    const auth: AuthCheck = (req) => {
      received.push(req.get('authorization') ?? '-');
    };
    const app = createApp({
      backend,
      auth,
      instances: () => instancesView(owners.snapshot(), servesLocally),
      logger: createLogger({ write: () => undefined }),
      metricsRegistry: registry,
      maxBodyBytes: 4096,
    });
    instance.server = await startApiServer(app, '127.0.0.1', 0, { shutdownTimeoutMs: 500 });
    instance.url = instance.server.url;
    return instance;
  }

  async function get(i: number, path: string, headers: Record<string, string> = {}) {
    const res = await fetch(instances[i]!.url + path, {
      headers: { authorization: 'Bearer t-1', ...headers },
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
  }

  beforeEach(async () => {
    state = 'current';
    instances = [await startInstance('a', [0, 1]), await startInstance('b', [2, 3])];
    for (const [i, instance] of instances.entries())
      for (const id of owned(i)) putTwin(instance.store, docs.get(id)!);
  });
  afterEach(async () => {
    for (const instance of instances) {
      instance.client.close();
      await instance.server.close();
    }
  });

  it('answers every twin from either instance, forwarding what the other owns', async () => {
    for (const i of [0, 1]) {
      for (const id of ids) {
        const res = await get(i, `/api/v1/twins/${id}`);
        expect([res.status, res.body.data]).toEqual([200, docs.get(id)]);
      }
    }
    const forwarded = (
      await instances[0]!.registry.getSingleMetricAsString('twinfold_api_forwarded_requests_total')
    )
      .split('\n')
      .find((l) => l.startsWith('twinfold_api_forwarded_requests_total{operation="getTwin",status="200"}'));
    expect(forwarded).toBe(
      `twinfold_api_forwarded_requests_total{operation="getTwin",status="200"} ${owned(1).length}`,
    );
    // the caller's credentials reached the owner unchanged
    expect(new Set(instances[1]!.received)).toEqual(new Set(['Bearer t-1']));
  });

  it('never forwards a forwarded request: the wrong instance answers 503 with Retry-After', async () => {
    const id = owned(1)[0]!;
    const before = instances[1]!.received.length;
    const res = await get(0, `/api/v1/twins/${id}`, { [FORWARDED_HEADER]: 'http://elsewhere' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body.error).toMatchObject({ code: 'NOT_READY' });
    expect(instances[1]!.received.length).toBe(before);
  });

  it('answers 503 for twins it would forward while the map is stale, and keeps serving its own', async () => {
    state = 'stale';
    const theirs = await get(0, `/api/v1/twins/${owned(1)[0]}`);
    expect([theirs.status, theirs.headers.get('retry-after')]).toEqual([503, '1']);
    const mine = await get(0, `/api/v1/twins/${owned(0)[0]}`);
    expect(mine.status).toBe(200);
    expect((await get(0, '/api/v1/twins')).status).toBe(503);
  });

  it('lists the whole fleet from either instance; paging returns every twin exactly once', async () => {
    for (const i of [0, 1]) {
      const all = await get(i, '/api/v1/twins?limit=1000');
      expect(all.body.data).toMatchObject({ count: ids.length, nextCursor: null });
      expect((all.body.data as { twins: TwinDocument[] }).twins.map((t) => t.id)).toEqual(ids);
      expect(all.body.data).not.toHaveProperty('partitions');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await get(i, `/api/v1/twins?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        const data = page.body.data as { twins: TwinDocument[]; nextCursor: string | null };
        seen.push(...data.twins.map((t) => t.id));
        cursor = data.nextCursor;
      } while (cursor);
      expect(seen).toEqual(ids);
    }
  });

  it('answers a list with 503, not a short list, when an instance misses a partition or is down', async () => {
    instances[1]!.store.partitions = [2]; // partition 3 moved away from b mid-rebalance
    const short = await get(0, '/api/v1/twins');
    expect([short.status, short.body.error]).toEqual([503, expect.objectContaining({ code: 'NOT_READY' })]);
    instances[1]!.store.partitions = [2, 3];
    await instances[1]!.server.close();
    const down = await get(0, '/api/v1/twins');
    expect([down.status, down.headers.get('retry-after')]).toEqual([503, '1']);
    const forwarded = await get(0, `/api/v1/twins/${owned(1)[0]}`);
    expect(forwarded.status).toBe(503);
  });

  it('aggregates the fleet from either instance, merging averages from sums, and 503 on a gap or overlap', async () => {
    const temps = ids.map((_, i) => (i % 4 === 0 ? 'n/a' : i * 1.5));
    const typeOf = (i: number): string => (i % 3 === 0 ? 'valve' : 'meter');
    for (const [i, id] of ids.entries()) {
      const owner = instances[ownerIndex(partitionOf(id))]!;
      putTwin(owner.store, twinFixture(id, { type: typeOf(i), reported: { temperature: temps[i]! } }));
    }
    const expected = ['meter', 'valve'].map((type) => {
      const members = ids.map((_, i) => i).filter((i) => typeOf(i) === type);
      const numbers = members.map((i) => temps[i]).filter((t): t is number => typeof t === 'number');
      return {
        key: type,
        values: {
          count: members.length,
          'avg(reported.temperature)': numbers.reduce((a, b) => a + b, 0) / numbers.length,
          'max(reported.temperature)': Math.max(...numbers),
        },
      };
    });
    const path =
      '/api/v1/twins/aggregate?groupBy=type&fn=count,avg(reported.temperature),max(reported.temperature)';
    for (const i of [0, 1]) {
      const res = await get(i, path);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ groupBy: 'type', count: 2, groups: expected });
    }
    instances[1]!.store.partitions = [2];
    expect((await get(0, path)).status).toBe(503);
    instances[1]!.store.partitions = [1, 2, 3];
    expect((await get(0, path)).status).toBe(503);
  });

  it("gives a forwarded list this instance's page and the partitions it covers", async () => {
    const local = await get(1, '/api/v1/twins?limit=1000', { [FORWARDED_HEADER]: 'http://a' });
    expect(local.body.data).toMatchObject({ partitions: [2, 3], count: owned(1).length });
  });

  it('shows the map at /system/instances', async () => {
    const res = await get(0, '/api/v1/system/instances');
    expect(res.body.data).toMatchObject({
      self: instances[0]!.url,
      state: 'current',
      partitionCount: 4,
      partitions: [
        { partition: 0, url: instances[0]!.url, servedHere: true },
        { partition: 1, url: instances[0]!.url, servedHere: true },
        { partition: 2, url: instances[1]!.url, servedHere: false },
        { partition: 3, url: instances[1]!.url, servedHere: false },
      ],
    });
  });
});
