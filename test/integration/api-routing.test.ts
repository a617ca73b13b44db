import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InstancesView } from '../../api/routing/instances-view';
import type { TwinDocument } from '../../api/twin-document';
import {
  api,
  AUTH_ENV,
  dataOf,
  errorCodeOf,
  instancesOf,
  listAll,
  ownerOf,
  waitForOwnership,
} from '../support/api-cluster';
import { produce } from '../support/kafka';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { checkedReference, generateWorkload, QUIET_TIMERS, runRounds, topicOf } from '../support/workload';

/**
 * Three service instances as separate processes over one group: any instance answers for any twin
 * (served locally or forwarded to the partition's owner), lists are gathered from all of them, and
 * the owner decides If-Match. The data is a small mixed workload folded into a reference first.
 */
describe('query API routing over 3 instances', () => {
  let d: Deployment;
  let instances: ServiceInstance[];
  let reference: Map<string, TwinDocument>;
  let view: InstancesView;

  const byUrl = (url: string): ServiceInstance => instances.find((s) => s.url === url)!;
  const nonOwnerOf = (id: string): ServiceInstance => instances.find((s) => s.url !== ownerOf(view, id))!;
  /** Ids of twins that accept desired patches (not decommissioned), in a stable order. */
  const steerable = (): string[] =>
    [...reference.values()]
      .filter((t) => t.lifecycle === 'active')
      .map((t) => t.id)
      .sort();

  beforeAll(async () => {
    d = deployment('api-routing', { ...QUIET_TIMERS, ...AUTH_ENV, PARTITIONS: '6' });
    instances = await Promise.all(['a', 'b', 'c'].map((name) => startService(d, name)));
    const rounds = generateWorkload({ seed: 7, devices: 240, records: 2400, idPrefix: 'ar-' });
    await runRounds(d.prefix, `${d.prefix}app`, rounds);
    reference = checkedReference(rounds);
    view = await waitForOwnership(instances);
  });
  afterAll(async () => d?.cleanup());

  it('shows one map on every instance: every partition owned, every instance owning some', async () => {
    expect(view.partitionCount).toBe(6);
    expect(view.instances.map((i) => i.url).sort()).toEqual(instances.map((s) => s.url).sort());
    for (const s of instances) {
      const own = await instancesOf(s.url);
      expect(own.self).toBe(s.url);
      expect(own.state).toBe('current');
      expect(own.partitions.map((p) => p.url)).toEqual(view.partitions.map((p) => p.url));
      expect(own.instances.filter((i) => i.self).map((i) => i.url)).toEqual([s.url]);
    }
  });

  it('returns every twin identically from each instance, and 404 for deleted ones', async () => {
    expect(reference.size).toBeGreaterThan(150);
    for (const s of instances) {
      const answers = await Promise.all(
        [...reference.keys()].map((id) => api(s.url, 'GET', `/api/v1/twins/${id}`)),
      );
      const wrong = answers
        .map((a, i) => ({ a, id: [...reference.keys()][i]! }))
        .filter(
          ({ a, id }) => a.status !== 200 || JSON.stringify(dataOf(a)) !== JSON.stringify(reference.get(id)),
        );
      expect(wrong.map(({ id, a }) => `${s.url} ${id}: ${a.status} ${a.text.slice(0, 200)}`)).toEqual([]);
      expect(answers.every((a, i) => a.headers.etag === `"${[...reference.values()][i]!.version}"`)).toBe(
        true,
      );
    }
    const deleted = Array.from({ length: 240 }, (_, i) => `ar-${i}`).filter((id) => !reference.has(id));
    for (const id of deleted.slice(0, 10)) {
      for (const s of instances) {
        const answer = await api(s.url, 'GET', `/api/v1/twins/${id}`);
        expect([answer.status, errorCodeOf(answer)]).toEqual([404, 'TWIN_NOT_FOUND']);
      }
    }
    // Two thirds of those reads were forwarded: the counters say so.
    const metrics = await api(instances[0]!.url, 'GET', '/metrics');
    expect(metrics.text).toMatch(
      /twinfold_api_forwarded_requests_total\{operation="getTwin",status="200"\} [1-9]/,
    );
  });

  it('lists the same complete fleet from each instance, and paging covers every twin exactly once', async () => {
    const expected = [...reference.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const s of instances) {
      expect(JSON.stringify(await listAll(s.url, 1000))).toBe(JSON.stringify(expected));
      const paged = await listAll(s.url, 7);
      expect(paged.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    }
    const active = expected.filter((t) => t.lifecycle === 'active').map((t) => t.id);
    const filtered = await listAll(instances[1]!.url, 5, '&lifecycle=active');
    expect(filtered.map((t) => t.id)).toEqual(active);
    // /devices is the same fan-out
    const devices = dataOf<{ devices: { id: string }[] }>(
      await api(instances[2]!.url, 'GET', '/api/v1/devices?limit=1000'),
    );
    expect(devices.devices.map((x) => x.id)).toEqual(expected.map((t) => t.id));
  });

  it('lets exactly one of two concurrent If-Match patches win, raising the version by one', async () => {
    for (const id of steerable().slice(0, 3)) {
      const owner = byUrl(ownerOf(view, id));
      const other = nonOwnerOf(id);
      const before = dataOf<TwinDocument>(await api(owner.url, 'GET', `/api/v1/twins/${id}`));
      const ifMatch = { 'if-match': `"${before.version}"` };
      const [x, y] = await Promise.all([
        api(owner.url, 'PATCH', `/api/v1/twins/${id}/desired`, {
          headers: ifMatch,
          body: { winner: 'owner' },
        }),
        api(other.url, 'PATCH', `/api/v1/twins/${id}/desired`, {
          headers: ifMatch,
          body: { winner: 'other' },
        }),
      ]);
      expect([x.status, y.status].sort()).toEqual([202, 412]);
      const [won, lost] = x.status === 202 ? [x, y] : [y, x];
      expect(errorCodeOf(lost)).toBe('VERSION_CONFLICT');
      expect(dataOf<{ version: number }>(won).version).toBe(before.version + 1);
      const after = dataOf<TwinDocument>(
        await api(other.url, 'GET', `/api/v1/twins/${id}?minVersion=${before.version + 1}&waitMs=10000`),
      );
      expect(after.version).toBe(before.version + 1);
      expect(after.desired.winner).toBe(won === x ? 'owner' : 'other');
    }
  });

  it('forwards only to the map: a spoofed Host / X-Forwarded-Host reaches no one', async () => {
    let hits = 0;
    const canary: Server = createServer((_req, res) => {
      hits += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { id: 'canary' }, timestamp: '' }));
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const target = `127.0.0.1:${(canary.address() as AddressInfo).port}`;
    const spoof = {
      host: target,
      'x-forwarded-host': target,
      'x-forwarded-proto': 'http',
      'x-forwarded-port': target.split(':')[1]!,
      forwarded: `host=${target};proto=http`,
    };
    try {
      for (const id of steerable().slice(3, 8)) {
        const other = nonOwnerOf(id);
        const read = await api(other.url, 'GET', `/api/v1/twins/${id}`, { headers: spoof });
        expect(read.status).toBe(200);
        const current = dataOf<TwinDocument>(read);
        expect(current.id).toBe(id);
        const write = await api(other.url, 'PATCH', `/api/v1/twins/${id}/desired`, {
          headers: { ...spoof, 'if-match': `"${current.version}"` },
          body: { spoofed: false },
        });
        expect(write.status).toBe(202);
        expect(dataOf<{ version: number }>(write).version).toBe(current.version + 1);
      }
      const listed = dataOf<{ twins: unknown[] }>(
        await api(instances[0]!.url, 'GET', '/api/v1/twins?limit=1000', { headers: spoof }),
      );
      expect(listed.twins).toHaveLength(reference.size);
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => canary.close(resolve));
    }
  });

  it('reads its writes with minVersion, waiting for the owner to fold them', async () => {
    const id = steerable()[10]!;
    const other = nonOwnerOf(id);
    const before = dataOf<TwinDocument>(await api(other.url, 'GET', `/api/v1/twins/${id}`));
    // A device reading straight into Kafka: no API write to wait for, so the read must wait.
    await produce(topicOf(d.prefix, 'telemetry'), [
      { key: id, value: JSON.stringify({ data: { temperature: 99.5 }, timestamp: Date.now() }) },
    ]);
    const waited = dataOf<TwinDocument>(
      await api(other.url, 'GET', `/api/v1/twins/${id}?minVersion=${before.version + 1}&waitMs=10000`),
    );
    expect(waited.version).toBeGreaterThanOrEqual(before.version + 1);
    expect(waited.reported.temperature).toBe(99.5);

    const patched = dataOf<{ version: number }>(
      await api(other.url, 'PATCH', `/api/v1/twins/${id}/desired`, { body: { interval: 4242 } }),
    );
    expect(patched.version).toBe(waited.version + 1);
    for (const s of instances) {
      const seen = dataOf<TwinDocument>(
        await api(s.url, 'GET', `/api/v1/twins/${id}?minVersion=${patched.version}`),
      );
      expect(seen.version).toBe(patched.version);
      expect(seen.desired.interval).toBe(4242);
    }

    const tooFar = await api(
      other.url,
      'GET',
      `/api/v1/twins/${id}?minVersion=${patched.version + 50}&waitMs=300`,
    );
    expect([tooFar.status, errorCodeOf(tooFar)]).toEqual([504, 'TIMEOUT']);
    const tooLong = await api(other.url, 'GET', `/api/v1/twins/${id}?minVersion=1&waitMs=60000`);
    expect([tooLong.status, errorCodeOf(tooLong)]).toEqual([400, 'VALIDATION_ERROR']);
  });

  it('forwards every single-twin operation, commands included', async () => {
    const id = steerable()[12]!;
    const other = nonOwnerOf(id);
    const queued = await api(other.url, 'POST', `/api/v1/twins/${id}/command`, {
      body: { action: 'reboot', parameters: { delay: 1 }, ttl: 600 },
    });
    expect(queued.status).toBe(202);
    const commandId = dataOf<{ command_id: string }>(queued).command_id;
    const command = await waitForCommand(other.url, id, commandId);
    expect(command).toMatchObject({ command_id: commandId, action: 'reboot', parameters: { delay: 1 } });
    const state = await api(other.url, 'GET', `/api/v1/twins/${id}/state`);
    expect(state.status).toBe(200);
    const health = await api(other.url, 'GET', `/api/v1/devices/${id}/health`);
    expect(health.status).toBe(200);
  });

  async function waitForCommand(
    url: string,
    id: string,
    commandId: string,
  ): Promise<Record<string, unknown>> {
    for (let i = 0; i < 100; i++) {
      const answer = await api(url, 'GET', `/api/v1/twins/${id}/commands/${commandId}`);
      if (answer.status === 200) return dataOf<Record<string, unknown>>(answer);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`command ${commandId} of ${id} never appeared`);
  }
});
