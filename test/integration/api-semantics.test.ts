import { httpRequest, type HttpAnswer } from '../support/http-client';
import { produce, readAll } from '../support/kafka';
import { deployment, startService, type Deployment, type ServiceInstance } from '../support/stack';
import { waitFor } from '../support/wait';
import { QUIET_TIMERS } from '../support/workload';

interface Twin {
  id: string;
  type: string;
  lifecycle: string;
  attributes: Record<string, unknown>;
  desired: Record<string, unknown>;
  version: number;
  connection: { status: string };
}

/**
 * What REST users are promised, through the real service (a service process on real Kafka): every
 * write the fold would ignore or the processor or bridge would refuse is answered at once with a
 * 4xx and a code, and nothing is produced for it; attributes are replaced; versions keep rising
 * across delete and re-create; commands speak seed 000's words.
 */
describe('REST write semantics through the real service', () => {
  let d: Deployment;
  let service: ServiceInstance;
  let n = 0;
  /** A fresh device id per test, so the tests do not share twins. */
  const freshId = (): string => `sem-${++n}`;

  beforeAll(async () => {
    d = deployment('api-semantics', QUIET_TIMERS);
    service = await startService(d);
  });
  afterAll(async () => d?.cleanup());

  const call = (method: string, path: string, body?: unknown): Promise<HttpAnswer> =>
    httpRequest(service.url, method, `/api/v1${path}`, body === undefined ? {} : { body });
  const codeOf = (res: HttpAnswer): [number, string | undefined] => [
    res.status,
    (res.body as { error?: { code?: string } } | undefined)?.error?.code,
  ];
  const dataOf = <T>(res: HttpAnswer): T => (res.body as { data: T }).data;
  const getTwin = async (id: string): Promise<Twin | undefined> => {
    const res = await call('GET', `/twins/${id}`);
    return res.status === 200 ? dataOf<Twin>(res) : undefined;
  };
  const twinWhere = (id: string, what: string, ok: (t: Twin) => boolean): Promise<Twin> =>
    waitFor(what, async () => {
      const twin = await getTwin(id);
      return twin !== undefined && ok(twin) ? twin : undefined;
    });

  async function register(id: string, attributes: Record<string, unknown> = {}): Promise<Twin> {
    expect((await call('POST', '/twins', { id, type: 'valve', attributes })).status).toBe(202);
    return twinWhere(id, `${id} registered`, () => true);
  }

  /** The device speaks (status online on device.status, as the bridge would write it). */
  async function deviceOnline(id: string): Promise<Twin> {
    await produce(`${d.prefix}device.status`, [{ key: id, value: 'online' }]);
    return twinWhere(id, `${id} online`, (t) => t.connection.status === 'online');
  }

  it('registers a twin pending until its device speaks', async () => {
    const id = freshId();
    expect(await register(id)).toMatchObject({ lifecycle: 'pending', version: 1 });
    expect(await deviceOnline(id)).toMatchObject({ lifecycle: 'active' });
  });

  it('replaces the attributes on PUT /twins/{id} and PUT /twins/{id}/metadata', async () => {
    const id = freshId();
    await register(id, { room: 'A', floor: 1 });
    expect((await call('PUT', `/twins/${id}`, { attributes: { room: 'B' } })).status).toBe(202);
    const put = await twinWhere(id, 'the new attributes', (t) => t.attributes.room === 'B');
    expect(put.attributes).toEqual({ room: 'B' });
    expect((await call('PUT', `/twins/${id}/metadata`, { wing: 'C' })).status).toBe(202);
    const metadata = await twinWhere(id, 'the replaced metadata', (t) => t.attributes.wing === 'C');
    expect(metadata.attributes).toEqual({ wing: 'C' });
  });

  it('answers 404 to writes for an unknown twin and invents none', async () => {
    const id = freshId();
    const writes: [string, string, unknown?][] = [
      ['PATCH', `/twins/${id}/desired`, { interval: 5 }],
      ['POST', `/twins/${id}/command`, { action: 'reboot' }],
      ['PUT', `/twins/${id}`, { type: 'x' }],
      ['PUT', `/twins/${id}/metadata`, { a: 1 }],
      ['POST', `/twins/${id}/suspend`],
      ['POST', `/twins/${id}/decommission`],
      ['DELETE', `/twins/${id}`],
    ];
    for (const [method, path, body] of writes)
      expect(codeOf(await call(method, path, body))).toEqual([404, 'TWIN_NOT_FOUND']);
    // A device message after the writes: if any write had created the twin, it would be older.
    await produce(`${d.prefix}device.telemetry`, [{ key: id, value: JSON.stringify({ t: 1 }) }]);
    expect(await twinWhere(id, 'the discovered twin', () => true)).toMatchObject({
      version: 1,
      lifecycle: 'active',
      desired: {},
    });
  });

  it('refuses desired patches and commands to a suspended twin, and a resume of an active one, with 409', async () => {
    const id = freshId();
    await register(id);
    await deviceOnline(id);
    expect(codeOf(await call('POST', `/twins/${id}/resume`))).toEqual([409, 'LIFECYCLE_CONFLICT']);
    expect((await call('POST', `/twins/${id}/suspend`)).status).toBe(202);
    const suspended = await twinWhere(id, 'suspended', (t) => t.lifecycle === 'suspended');
    expect(codeOf(await call('PATCH', `/twins/${id}/desired`, { interval: 5 }))).toEqual([
      409,
      'LIFECYCLE_CONFLICT',
    ]);
    expect(codeOf(await call('POST', `/twins/${id}/command`, { action: 'reboot' }))).toEqual([
      409,
      'LIFECYCLE_CONFLICT',
    ]);
    expect(codeOf(await call('POST', `/twins/${id}/suspend`))).toEqual([409, 'LIFECYCLE_CONFLICT']);
    expect((await getTwin(id))?.version).toBe(suspended.version);
    expect((await call('POST', `/twins/${id}/resume`)).status).toBe(202);
    await twinWhere(id, 'active again', (t) => t.lifecycle === 'active');
  });

  it('decommissions over REST: then only delete is accepted', async () => {
    const id = freshId();
    await register(id);
    expect((await call('POST', `/twins/${id}/decommission`)).status).toBe(202);
    await twinWhere(id, 'decommissioned', (t) => t.lifecycle === 'decommissioned');
    expect(codeOf(await call('PATCH', `/twins/${id}/desired`, { interval: 5 }))).toEqual([
      409,
      'LIFECYCLE_CONFLICT',
    ]);
    expect(codeOf(await call('POST', `/twins/${id}/decommission`))).toEqual([409, 'LIFECYCLE_CONFLICT']);
  });

  it('keeps versions rising across delete and re-create, on REST and on device.twins', async () => {
    const id = freshId();
    await register(id);
    const patched = await call('PATCH', `/twins/${id}/desired`, { interval: 5 });
    const lastVersion = dataOf<{ version: number }>(patched).version;
    expect((await call('DELETE', `/twins/${id}`)).status).toBe(202);
    await waitFor('the twin deleted', async () => (await call('GET', `/twins/${id}`)).status === 404);
    const again = await register(id);
    expect(again.version).toBeGreaterThan(lastVersion);
    expect(again).toMatchObject({ lifecycle: 'pending', desired: {}, version: lastVersion + 2 });

    const records = (await readAll([`${d.prefix}device.twins`])).filter((r) => r.key === id);
    const versions = records.map((r) => (r.value === null ? null : Number(r.headers['twinfold.version'])));
    expect(versions).toEqual([1, lastVersion, null, lastVersion + 2]);
  });

  it('shows a command in seed 000 words with the ack status, the result, the times and the attempts', async () => {
    const id = freshId();
    await register(id);
    const queued = await call('POST', `/twins/${id}/command`, { action: 'reboot', parameters: { delay: 1 } });
    expect(queued.status).toBe(202);
    const command = dataOf<{ command_id: string; status: string; priority: number }>(queued);
    expect(command).toMatchObject({ status: 'pending', priority: 0, attempts: 0 });
    const path = `/twins/${id}/commands/${command.command_id}`;
    const commandWhere = (status: string): Promise<Record<string, unknown>> =>
      waitFor(`the command ${status}`, async () => {
        const view = dataOf<Record<string, unknown> | undefined>(await call('GET', path));
        return view?.status === status ? view : undefined;
      });
    await commandWhere('pending');
    await deviceOnline(id);
    expect(await commandWhere('delivered')).toMatchObject({ attempts: 1, deliveredAt: expect.any(String) });
    await produce(`${d.prefix}device.acks`, [
      {
        key: id,
        value: JSON.stringify({ command_id: command.command_id, status: 'success', result: { took: 2 } }),
      },
    ]);
    expect(await commandWhere('acknowledged')).toMatchObject({
      ackStatus: 'success',
      result: { took: 2 },
      attempts: 1,
      deliveredAt: expect.any(String),
      acknowledgedAt: expect.any(String),
    });
  });

  describe('refuses at the API what the downlink would refuse', () => {
    const nested = (depth: number): Record<string, unknown> => {
      let value: Record<string, unknown> = { leaf: 1 };
      for (let i = 1; i < depth; i++) value = { n: value };
      return value;
    };
    const fields = (count: number): Record<string, number> =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, i]));

    it.each([
      ['a desired patch 31 levels deep', 'PATCH', 'desired', nested(31)],
      ['a desired patch of 500 fields', 'PATCH', 'desired', fields(500)],
      ['a desired patch of 999 keys', 'PATCH', 'desired', fields(999)],
      ['a command with 996 parameter keys', 'POST', 'command', { action: 'x', parameters: fields(996) }],
    ])('%s: 400 LIMIT_EXCEEDED, synchronously, nothing produced', async (_what, method, path, body) => {
      const id = freshId();
      const twin = await register(id);
      expect(codeOf(await call(method, `/twins/${id}/${path}`, body))).toEqual([400, 'LIMIT_EXCEEDED']);
      // A later write folds at the next version: the refused one took none.
      const ok = await call('PATCH', `/twins/${id}/desired`, { marker: 1 });
      expect(dataOf<{ version: number }>(ok).version).toBe(twin.version + 1);
      expect((await call('GET', `/twins/${id}/commands`)).body).toMatchObject({ data: { count: 0 } });
    });

    it('a desired patch that would grow the twin past 512 KB: 400 LIMIT_EXCEEDED, not 504', async () => {
      const id = freshId();
      await register(id);
      // The device's own readings (nothing the API checks) bring the twin near its limit.
      const chunk = 'x'.repeat(210_000);
      await produce(`${d.prefix}device.telemetry`, [
        { key: id, value: JSON.stringify({ r1: chunk }) },
        { key: id, value: JSON.stringify({ r2: chunk }) },
      ]);
      await twinWhere(id, 'both readings', (t) => t.version === 3);
      expect(codeOf(await call('PATCH', `/twins/${id}/desired`, { d: 'x'.repeat(110_000) }))).toEqual([
        400,
        'LIMIT_EXCEEDED',
      ]);
      expect((await getTwin(id))?.desired).toEqual({});
    });

    it('a command produced past the API whose downlink the bridge would refuse fails with the reason', async () => {
      const id = freshId();
      await register(id);
      await deviceOnline(id);
      const value = { command_id: 'too-big', action: 'x', parameters: fields(996) };
      await produce(`${d.prefix}device.commands`, [{ key: id, value: JSON.stringify(value) }]);
      const failed = await waitFor('the command failed', async () => {
        const view = dataOf<Record<string, unknown> | undefined>(
          await call('GET', `/twins/${id}/commands/too-big`),
        );
        return view?.status === 'failed' ? view : undefined;
      });
      expect(failed).toMatchObject({
        attempts: 0,
        failedAt: expect.any(String),
        error: expect.stringMatching(/^downlink:LIMIT_EXCEEDED: /),
      });
      expect(failed.deliveredAt).toBeUndefined();
      const downlink = (await readAll([`${d.prefix}device.downlink`])).filter((r) => r.key === id);
      expect(downlink).toEqual([]);
    });
  });
});
