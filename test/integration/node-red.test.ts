import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { produce } from '../support/kafka';
import {
  NODE_RED_PACKAGE,
  nodeRedHelper,
  packageNodes,
  type NodeRedHelper,
  type RuntimeMessage,
} from '../support/node-red';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';
import { QUIET_TIMERS } from '../support/workload';

interface Twin {
  id: string;
  version: number;
  reported: Record<string, unknown>;
  desired: Record<string, unknown>;
}

/**
 * The Node-RED package (integrations/node-red) loaded from its package.json into a real Node-RED
 * runtime (node-red-node-test-helper), its nodes wired to helper nodes, against a real twinfold
 * service on real Kafka with bearer tokens: get, list with filters, a desired patch with If-Match
 * and its 412 output, a command waiting for the device's ack (produced on device.acks, as the
 * bridge writes it), telemetry/aggregate/history, and live changes that resume with Last-Event-ID
 * after the connection is cut (through a TCP relay) while the twin changes.
 */
describe('Node-RED nodes against a running twinfold', () => {
  const admin = randomBytes(16).toString('hex');
  const operator = randomBytes(16).toString('hex');
  let d: Deployment;
  let service: ServiceInstance;
  let proxy: TcpProxy;
  let helper: NodeRedHelper;
  const outputs = new Map<string, RuntimeMessage[]>();
  const errors: { node: string; msg: RuntimeMessage; text: string }[] = [];
  const statuses: string[] = [];
  const now = Date.now();
  let readings = 0;

  const api = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; data: unknown }> => {
    const res = await fetch(`${service.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const envelope = (await res.json()) as { data?: unknown };
    return { status: res.status, data: envelope.data };
  };
  const twin = async (id: string): Promise<Twin> => (await api('GET', `/twins/${id}`)).data as Twin;
  /** Telemetry readings for nr-1, as the bridge writes them; their reading times a minute apart. */
  const readingsOf = async (...temperatures: number[]): Promise<void> => {
    const messages = temperatures.map((temperature) => {
      readings += 1;
      const timestamp = new Date(now - 30 * 60000 + readings * 60000).toISOString();
      return { key: 'nr-1', value: JSON.stringify({ timestamp, data: { temperature } }) };
    });
    await produce(`${d.prefix}device.telemetry`, messages);
  };
  /** The helper nodes the nodes under test are wired to. */
  const OUTPUTS = [
    'getOut',
    'listOut',
    'patchOk',
    'patch412',
    'cmdOk',
    'cmdFailed',
    'histOut',
    'liveOut',
    'valveOut',
  ];
  const out = (id: string): RuntimeMessage[] => outputs.get(id) ?? [];
  /** Sends msg into node `id` and waits for the next message on helper `outId`. */
  const roundTrip = async (id: string, msg: RuntimeMessage, outId: string): Promise<RuntimeMessage> => {
    const before = out(outId).length;
    helper.getNode(id)!.receive(msg);
    return waitFor(`a message from ${id} on ${outId}`, () => out(outId)[before], { intervalMs: 20 });
  };

  beforeAll(async () => {
    d = deployment('node-red', {
      ...QUIET_TIMERS,
      AUTH_MODE: 'static',
      AUTH_TOKENS: `${admin}:admin,${operator}:operator`,
      SSE_HEARTBEAT_MS: '1000',
    });
    helper = nodeRedHelper();
    [service] = await Promise.all([startService(d), helper.startServer()]);
    proxy = await TcpProxy.start(service.url);

    const registered = await Promise.all(
      [
        ['nr-1', 'thermostat', 'a'],
        ['nr-2', 'thermostat', 'b'],
        ['nr-3', 'valve', 'a'],
      ].map(
        async ([id, type, site]) => (await api('POST', '/twins', { id, type, attributes: { site } })).status,
      ),
    );
    expect(registered).toEqual([202, 202, 202]);
    // The registry and telemetry are different topics: the twin exists before its device speaks.
    await waitFor('nr-1 registered', async () => (await api('GET', '/twins/nr-1')).status === 200);
    await readingsOf(20, 21, 22);
    await waitFor('nr-1 with its readings', async () => (await twin('nr-1'))?.reported?.temperature === 22);

    const pkg = packageNodes(NODE_RED_PACKAGE);
    const helperNode = (id: string): Record<string, unknown> => ({ id, type: 'helper' });
    const flow: Record<string, unknown>[] = [
      { id: 'srv', type: 'twinfold-server', name: 'direct' },
      { id: 'relayed', type: 'twinfold-server', name: 'through the relay' },
      { id: 'stranger', type: 'twinfold-server', name: 'a bad token' },
      { id: 'get', type: 'twinfold-get', server: 'srv', wires: [['getOut']] },
      { id: 'getBad', type: 'twinfold-get', server: 'stranger', twinId: 'nr-1', wires: [['getOut']] },
      { id: 'list', type: 'twinfold-list', server: 'srv', attributes: 'site=a', wires: [['listOut']] },
      { id: 'patch', type: 'twinfold-patch', server: 'srv', wires: [['patchOk'], ['patch412']] },
      {
        id: 'cmd',
        type: 'twinfold-command',
        server: 'srv',
        action: 'reboot',
        waitForAck: true,
        ackTimeout: 20,
        wires: [['cmdOk'], ['cmdFailed']],
      },
      {
        id: 'tele',
        type: 'twinfold-history',
        server: 'srv',
        mode: 'telemetry',
        start: '-1h',
        wires: [['histOut']],
      },
      {
        id: 'agg',
        type: 'twinfold-history',
        server: 'srv',
        mode: 'aggregate',
        field: 'temperature',
        bucket: '1h',
        start: '-2h',
        wires: [['histOut']],
      },
      { id: 'hist', type: 'twinfold-history', server: 'srv', mode: 'history', wires: [['histOut']] },
      {
        id: 'live',
        type: 'twinfold-live',
        server: 'relayed',
        scope: 'twin',
        twinId: 'nr-1',
        wires: [['liveOut']],
      },
      {
        id: 'valves',
        type: 'twinfold-live',
        server: 'srv',
        scope: 'fleet',
        twinType: 'valve',
        wires: [['valveOut']],
      },
      ...OUTPUTS.map(helperNode),
    ];
    await helper.load(pkg.modules, flow, {
      srv: { url: service.url, token: operator },
      relayed: { url: proxy.url, token: operator },
      stranger: { url: service.url, token: 'not-a-token' },
    });
    for (const id of OUTPUTS) {
      outputs.set(id, []);
      helper.getNode(id)!.on('input', (msg) => out(id).push(msg));
    }
    for (const id of ['get', 'getBad', 'list', 'patch', 'cmd', 'tele', 'agg', 'hist', 'live', 'valves']) {
      const node = helper.getNode(id)!;
      node.on('call:error', (call) =>
        errors.push({ node: id, msg: call.args?.[1] as RuntimeMessage, text: String(call.args?.[0]) }),
      );
      if (id === 'live')
        node.on('call:status', (call) => statuses.push(String((call.args?.[0] as { text?: string }).text)));
    }
  });
  afterAll(async () => {
    await helper?.unload();
    await helper?.stopServer();
    await proxy?.close();
    await d?.cleanup();
  });

  it('declares a Node-RED package: scoped name, keyword, a .js and .html per node', () => {
    const pkg = packageNodes(NODE_RED_PACKAGE);
    expect(pkg.name).toMatch(/^@[a-z0-9-]+\/node-red-/);
    expect(pkg.keywords).toContain('node-red');
    expect(pkg.types).toEqual(
      expect.arrayContaining(['twinfold-server', 'twinfold-get', 'twinfold-patch', 'twinfold-live']),
    );
    for (const [type, file] of Object.entries(pkg.files)) {
      const html = readFileSync(join(NODE_RED_PACKAGE, file.replace(/\.js$/, '.html')), 'utf8');
      expect(html).toContain(`RED.nodes.registerType('${type}'`);
      expect(html).toContain(`data-help-name="${type}"`);
    }
  });

  it('get twin: the document with its version; a bad token is a 401 error for a Catch node', async () => {
    const msg = await roundTrip('get', { twinId: 'nr-1' }, 'getOut');
    const doc = msg.payload as Twin;
    expect(doc).toMatchObject({ id: 'nr-1', reported: { temperature: 22 } });
    expect(msg.version).toBe(doc.version);

    helper.getNode('getBad')!.receive({});
    const failed = await waitFor('the bad token refused', () => errors.find((e) => e.node === 'getBad'));
    expect(failed.msg).toMatchObject({ statusCode: 401, errorCode: 'UNAUTHORIZED' });
  });

  it('list: the filters of the node (attr.site=a), then msg.filter (type=thermostat)', async () => {
    const ids = (msg: RuntimeMessage): string[] =>
      ((msg.payload as { twins: Twin[] }).twins ?? []).map((t) => t.id).sort();
    expect(ids(await roundTrip('list', {}, 'listOut'))).toEqual(['nr-1', 'nr-3']);
    expect(ids(await roundTrip('list', { filter: { type: 'thermostat' } }, 'listOut'))).toEqual(['nr-1']);
  });

  it('patch desired: If-Match with the current version is applied, a stale one goes to the 412 output', async () => {
    const { version } = await twin('nr-1');
    const applied = await roundTrip(
      'patch',
      { twinId: 'nr-1', payload: { interval: 10 }, ifMatch: version },
      'patchOk',
    );
    expect(applied.payload).toMatchObject({ version: version + 1 });
    expect((await twin('nr-1')).desired).toEqual({ interval: 10 });

    const stale = await roundTrip(
      'patch',
      { twinId: 'nr-1', payload: { interval: 99 }, ifMatch: version },
      'patch412',
    );
    expect(stale).toMatchObject({ statusCode: 412, errorCode: 'VERSION_CONFLICT' });
    expect(out('patchOk')).toHaveLength(1);
    expect((await twin('nr-1')).desired).toEqual({ interval: 10 });
  });

  it('send command: waits for the device ack, and reports a command never acked', async () => {
    const before = out('cmdOk').length;
    helper.getNode('cmd')!.receive({ twinId: 'nr-1', payload: { delay: 1 } });
    const queued = await waitFor('the command queued', async () => {
      const list = (await api('GET', '/twins/nr-1/commands')).data as { commands: { command_id: string }[] };
      return list.commands[0];
    });
    expect(out('cmdOk')).toHaveLength(before);
    await produce(`${d.prefix}device.acks`, [
      {
        key: 'nr-1',
        value: JSON.stringify({ command_id: queued.command_id, status: 'success', result: { ok: 1 } }),
      },
    ]);
    const acked = await waitFor('the ack on output 1', () => out('cmdOk')[before], { intervalMs: 20 });
    expect(acked).toMatchObject({
      commandId: queued.command_id,
      payload: {
        command_id: queued.command_id,
        status: 'acknowledged',
        ackStatus: 'success',
        result: { ok: 1 },
      },
    });

    const unacked = await roundTrip(
      'cmd',
      { twinId: 'nr-3', action: 'open', payload: {}, ackTimeout: 1 },
      'cmdFailed',
    );
    expect(unacked).toMatchObject({ timedOut: true, payload: { action: 'open', status: 'pending' } });
  });

  it('history: readings, an aggregate, the changes of the twin, and the fleet by type', async () => {
    const tele = await roundTrip('tele', { twinId: 'nr-1' }, 'histOut');
    const points = (tele.payload as { telemetry: { values: { temperature: number } }[] }).telemetry;
    expect(points.map((p) => p.values.temperature)).toEqual([20, 21, 22]);

    const agg = await roundTrip('agg', { twinId: 'nr-1' }, 'histOut');
    const buckets = (agg.payload as { buckets: { count: number; max: number | null }[] }).buckets;
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(Math.max(...buckets.map((b) => b.max ?? -Infinity))).toBe(22);

    const hist = await roundTrip('hist', { twinId: 'nr-1' }, 'histOut');
    const changes = (hist.payload as { changes: { version: number; kinds: string[] }[] }).changes;
    expect(changes.map((c) => c.version)).toEqual(changes.map((_, i) => i + 1));
    expect(changes.some((c) => c.kinds.includes('desired'))).toBe(true);

    const fleet = await roundTrip('hist', { mode: 'fleet', groupBy: 'type' }, 'histOut');
    const groups = (fleet.payload as { groups: { key: string; values: { count: number } }[] }).groups;
    expect(Object.fromEntries(groups.map((g) => [g.key, g.values.count]))).toEqual({
      thermostat: 2,
      valve: 1,
    });
  });

  it('live changes: every change once, also those made while the connection was cut', async () => {
    await waitFor('the live node connected', () => statuses.includes('connected'));
    const versions = (): number[] => out('liveOut').map((m) => (m.payload as Twin).version);
    await readingsOf(30);
    const first = (await waitFor('nr-1 at 30', async () => {
      const t = await twin('nr-1');
      return t.reported.temperature === 30 ? t : undefined;
    })) as Twin;
    await waitFor('the first live change', () => versions().includes(first.version), { intervalMs: 20 });

    const connections = proxy.requestHeads.length;
    proxy.cut();
    await waitFor(
      'the live node reconnecting',
      () => statuses.lastIndexOf('reconnecting') > statuses.lastIndexOf('connected'),
    );
    await readingsOf(31, 32);
    await waitFor('nr-1 at 32', async () => (await twin('nr-1')).reported.temperature === 32);
    expect(versions()).not.toContain(first.version + 1);
    proxy.accept();

    await waitFor('the changes made while cut', () => versions().includes(first.version + 2), {
      intervalMs: 20,
    });
    const resumed = proxy.requestHeads.slice(connections).find((head) => /^last-event-id: \S+/im.test(head));
    expect(resumed).toBeDefined();
    const seen = versions().filter((v) => v >= first.version);
    expect(seen).toEqual([first.version, first.version + 1, first.version + 2]);
    expect(out('liveOut').at(-1)).toMatchObject({
      topic: 'nr-1',
      event: 'twin',
      payload: { reported: { temperature: 32 } },
    });
  });

  it('live changes of the fleet: only the twins its filter matches', async () => {
    // The command queued for nr-3 (a valve) changed it; nr-1's changes are not the valves'.
    await waitFor('a valve change', () => out('valveOut')[0], { intervalMs: 20 });
    expect(new Set(out('valveOut').map((m) => m.topic))).toEqual(new Set(['nr-3']));
    expect(out('liveOut').length).toBeGreaterThan(3);
  });

  it('reported no unexpected errors', () => {
    expect(errors.filter((e) => e.node !== 'getBad')).toEqual([]);
  });
});
