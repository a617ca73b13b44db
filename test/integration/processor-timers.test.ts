import { consumeUntil, produce } from '../support/kafka';
import { deployment, getJson, startService, type Deployment } from '../support/stack';
import { waitFor } from '../support/wait';

interface TwinBody {
  data: { connection: { status: string }; version: number };
}

describe('processor: wall-clock timers', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('expires commands past their TTL and marks silent twins unknown without any new input', async () => {
    d = deployment('timers', { PARTITIONS: '2', OFFLINE_AFTER_MS: '2000', COMMAND_TTL_MS: '60000' });
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
});
