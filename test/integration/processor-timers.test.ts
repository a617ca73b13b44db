import { consumeUntil, produce, readAll } from '../support/kafka';
import { deployment, getJson, startService, type Deployment } from '../support/stack';
import { waitFor } from '../support/wait';

interface TwinBody {
  data: { connection: { status: string }; version: number };
}

describe('processor: wall-clock timers', () => {
  // One deployment per test, each cleaned up: a leaked service process keeps jest from exiting.
  const deployments: Deployment[] = [];
  afterAll(async () => Promise.all(deployments.map((x) => x.cleanup())));
  const deploy = (...args: Parameters<typeof deployment>): Deployment => {
    const created = deployment(...args);
    deployments.push(created);
    return created;
  };

  it('expires commands past their TTL and marks silent twins unknown without any new input', async () => {
    const d = deploy('timers', { PARTITIONS: '2', OFFLINE_AFTER_MS: '2000', COMMAND_TTL_MS: '60000' });
    const service = await startService(d);
    const now = Date.now();
    await produce(`${d.prefix}device.status`, [{ key: 'tm-quiet', value: 'online', timestamp: String(now) }]);
    // Registered, never heard from: a command does not create a twin, the registry does.
    await produce(`${d.prefix}device.registry`, [
      { key: 'tm-offline', value: JSON.stringify({ op: 'create', type: 'x' }), timestamp: String(now) },
    ]);
    await waitFor('the registered twin', async () => {
      return (await getJson(`${service.url}/api/v1/twins/tm-offline`)).status === 200;
    });
    await produce(`${d.prefix}device.commands`, [
      {
        key: 'tm-offline',
        value: JSON.stringify({ command_id: 'cmd-1', action: 'reboot', ttl: 1 }),
        timestamp: String(now),
      },
    ]);

    const quiet = await waitFor(
      'the silent twin to become unknown',
      async () => {
        const res = await getJson(`${service.url}/api/v1/twins/tm-quiet`);
        const body = res.body as TwinBody | undefined;
        return res.status === 200 && body?.data.connection.status === 'unknown' ? body : undefined;
      },
      { timeoutMs: 20000 },
    );
    expect(quiet.data.version).toBe(2);

    const command = await waitFor(
      'the command to expire',
      async () => {
        const res = await getJson(`${service.url}/api/v1/twins/tm-offline/commands/cmd-1`);
        const status = (res.body as { data?: { status?: string } } | undefined)?.data?.status;
        return status === 'expired' ? status : undefined;
      },
      { timeoutMs: 20000 },
    );
    expect(command).toBe('expired');

    const events = await consumeUntil([`${d.prefix}device.events`], (rs) =>
      ['connection.unknown', 'command.status'].every((type) =>
        rs.some((r) => JSON.parse(r.value!.toString()).type === type),
      ),
    );
    const expired = events
      .map((r) => JSON.parse(r.value!.toString()))
      .find((e) => e.type === 'command.status' && e.data.status === 'expired');
    expect(expired).toMatchObject({ deviceId: 'tm-offline', data: { status: 'expired' } });

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/^twinfold_commands_expired_total 1$/m);
    // Both: the silent one, and the registered one, which has never been heard from.
    expect(metrics).toMatch(/^twinfold_twins\{status="unknown"\} 2$/m);
    expect(metrics).toMatch(/^twinfold_twins\{status="online"\} 0$/m);
  });

  it('hears a record when the broker appends it, not when its producer stamped it', async () => {
    const d = deploy('heard-at', { PARTITIONS: '2', OFFLINE_AFTER_MS: String(3600 * 1000) });
    const service = await startService(d);
    // A device uploading readings it buffered a day ago, through a producer that stamps records
    // with the reading time: the silence timer must not see a day-old "last seen".
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    const reading = (n: number): { key: string; value: string; timestamp: string } => ({
      key: 'tm-buffered',
      value: JSON.stringify({ timestamp: dayAgo + n * 1000, data: { n } }),
      timestamp: String(dayAgo + n * 1000),
    });
    const folded = (n: number): Promise<HeardBody['data']> =>
      waitFor(`reading ${n} folded`, async () => {
        const data = (
          (await getJson(`${service.url}/api/v1/twins/tm-buffered`)).body as HeardBody | undefined
        )?.data;
        return data?.reported.n === n ? data : undefined;
      });
    const before = Date.now();
    const [heardAt] = await produce(`${d.prefix}device.telemetry`, [reading(1), reading(2)]);
    expect(heardAt).toBeGreaterThanOrEqual(before);
    expect(Date.parse((await folded(2)).connection.lastSeen)).toBeGreaterThanOrEqual(before);
    await produce(`${d.prefix}device.telemetry`, [reading(3)]);
    const last = await folded(3);
    const types = (await readAll([`${d.prefix}device.events`]))
      .filter((r) => r.key === 'tm-buffered')
      .map((r) => (JSON.parse(r.value!.toString()) as { type: string }).type);
    expect(types).not.toContain('connection.unknown');
    expect(last.connection.status).toBe('online');
  });
});

interface HeardBody {
  data: { version: number; reported: { n?: number }; connection: { status: string; lastSeen: string } };
}
