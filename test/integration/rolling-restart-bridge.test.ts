import mqtt from 'mqtt';
import { AUTH_ENV, api, dataOf } from '../support/api-cluster';
import { testEnv } from '../support/env';
import { freePort } from '../support/free-port';
import type { ServiceProcess } from '../support/processes';
import { deployment, startService, type Deployment } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * A bridge restarted as Kubernetes restarts it (SIGTERM, a new process with the same settings) and
 * after a crash (SIGKILL) comes back ready and delivers commands again. Readiness waits for the
 * downlink consumer to join its group, which after a crash waits for the dead member's session to
 * time out: the test prints how long each restart took to become ready (no timing is asserted).
 */
describe('bridge restarts', () => {
  let d: Deployment;
  afterAll(async () => d?.cleanup());

  it('is ready again and delivers commands after a SIGTERM restart and after a SIGKILL', async () => {
    d = deployment('bridge-restart', AUTH_ENV);
    const service = await startService(d, 'a');
    const port = await freePort();
    let current: ServiceProcess | undefined;
    const startBridge = async (): Promise<number> => {
      const began = Date.now();
      const bridge = d.processes.spawn(
        'bridge/main.js',
        { ...d.env, BRIDGE_HTTP_PORT: String(port) },
        'bridge',
      );
      await waitFor(
        'the bridge to be ready',
        async () => {
          if (!bridge.running) throw new Error(`bridge exited:\n${bridge.lines.slice(-10).join('\n')}`);
          return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok;
        },
        { timeoutMs: 60000, intervalMs: 100 },
      );
      current = bridge;
      return Date.now() - began;
    };
    await startBridge();

    const deviceId = `${d.prefix.replace(/[^A-Za-z0-9]/g, '')}-restarted-bridge`;
    const device = await mqtt.connectAsync(testEnv().mqttUrl, { clientId: `${deviceId}-client` });
    const received: string[] = [];
    device.on('message', (_topic, payload) => received.push(payload.toString('utf8')));
    try {
      await device.subscribeAsync(`device/${deviceId}/command`, { qos: 1 });
      await device.publishAsync(
        `device/${deviceId}/telemetry`,
        JSON.stringify({ timestamp: new Date().toISOString(), data: { on: true } }),
        { qos: 1 },
      );
      await waitFor(
        'the twin',
        async () => (await api(service.url, 'GET', `/api/v1/twins/${deviceId}`)).status === 200,
      );

      const readyAfter: Record<string, number> = {};
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        await current!.kill(signal);
        readyAfter[signal] = await startBridge();
        const action = `after-${signal.toLowerCase()}`;
        dataOf(await api(service.url, 'POST', `/api/v1/twins/${deviceId}/command`, { body: { action } }));
        await waitFor(`command ${action} on MQTT`, () => received.some((p) => p.includes(action)), {
          timeoutMs: 30000,
        });
      }
      process.stderr.write(
        `[bridge-restart] ready after restart: SIGTERM ${readyAfter.SIGTERM} ms, SIGKILL ${readyAfter.SIGKILL} ms\n`,
      );
    } finally {
      await device.endAsync();
    }
  });
});
