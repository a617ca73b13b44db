import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { bridgeTestSetup } from '../support/bridge-env';
import { launchChromium, screenshot } from '../support/browser';
import { testEnv } from '../support/env';
import { httpRequest } from '../support/http-client';
import {
  deployment,
  startService,
  waitForReady,
  type Deployment,
  type ServiceInstance,
} from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * The dashboard in a real headless Chromium against a real stack: Kafka, a service instance with
 * authentication on, Mosquitto, the bridge and the device simulator (whose devices ack commands).
 * Screenshots of each view go to .cache/screenshots/.
 */
jest.setTimeout(120_000);

const DEVICES = ['sim-0001', 'sim-0002', 'sim-0003', 'sim-0004', 'sim-0005'];

describe('the dashboard in Chromium', () => {
  const token = randomBytes(24).toString('base64url');
  let d: Deployment;
  let service: ServiceInstance;
  /** A second instance, from the rebalance test on. */
  let b: ServiceInstance;
  let browser: Browser;
  let page: Page;

  const rest = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpRequest(service.url, method, `/api/v1${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body === undefined ? {} : { body }),
    });

  beforeAll(async () => {
    // A short forwarding timeout: a list waiting on a frozen peer becomes a 503 quickly.
    d = deployment('dashboard', {
      AUTH_MODE: 'static',
      AUTH_TOKENS: `${token}:admin`,
      FORWARD_TIMEOUT_MS: '1000',
    });
    const bridge = bridgeTestSetup(d.prefix);
    const [started] = await Promise.all([startService(d), launchChromium().then((b) => (browser = b))]);
    service = started;
    await d.processes
      .spawn('bridge/main.js', { ...bridge.env, LOG_LEVEL: 'info', BRIDGE_HTTP_PORT: '0' }, 'bridge')
      .waitForLine(/"bridge running"/);
    d.processes.spawn(
      'scripts/simulator.js',
      {
        MQTT_URL: testEnv().mqttUrl,
        SIM_MQTT_ROOT: bridge.root,
        SIM_DEVICES: String(DEVICES.length),
        SIM_RATE: '10',
        SIM_OFFLINE_RATE: '0',
        SIM_RECONNECT_RATE: '0',
        SIM_STATS_EVERY: '0',
      },
      'simulator',
    );
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await d?.cleanup();
  });

  it('shows the login for a wrong token, and the fleet for the right one', async () => {
    await page.goto(`${service.url}/#token=not-the-token`);
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor({ timeout: 10_000 });
    expect(page.url()).not.toContain('not-the-token');

    await page.getByLabel('API token').fill('still-not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'UNAUTHORIZED' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'login');

    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor({ timeout: 10_000 });
  });

  it('lists the simulated devices', async () => {
    for (const id of DEVICES) {
      await page.getByRole('link', { name: id, exact: true }).waitFor({ timeout: 60_000 });
    }
    await page.getByText('live', { exact: true }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'fleet');
    // Keyboard: the arrow keys move from row to row.
    await page.getByRole('link', { name: DEVICES[0], exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe(DEVICES[1]);
  });

  it('shows a live change within 2 s, without a reload', async () => {
    const marker = await page.evaluate('window.performance.timeOrigin');
    const created = await rest('POST', '/twins', { id: 'probe-live', type: 'probe' });
    expect(created.status).toBe(202);
    await page.getByRole('link', { name: 'probe-live', exact: true }).waitFor({ timeout: 2_000 });
    expect(await page.evaluate('window.performance.timeOrigin')).toBe(marker); // the same document
  });

  it('shows the delta after a desired edit, and a conflicting edit as a conflict', async () => {
    await page.getByRole('link', { name: 'probe-live', exact: true }).click();
    await page.getByRole('heading', { name: 'probe-live' }).waitFor();
    const editor = page.getByLabel(/Change desired state/);
    await editor.fill('{"interval": 30}');
    await page.getByRole('button', { name: /^Apply/ }).click();
    const delta = page.getByRole('table', { name: 'Delta' });
    await delta.getByRole('row', { name: /interval\s+30/ }).waitFor({ timeout: 10_000 });
    await page.getByRole('status').filter({ hasText: 'Applied' }).waitFor({ timeout: 10_000 });

    // The operator starts an edit; meanwhile someone else changes the twin.
    await editor.fill('{"interval": 45}');
    const other = await rest('PATCH', '/twins/probe-live/desired', { mode: 'eco' });
    expect(other.status).toBe(202);
    await page.getByRole('button', { name: /^Apply/ }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Conflict (412)' });
    await conflict.waitFor({ timeout: 10_000 });
    await screenshot(page, 'twin-conflict');

    await conflict.getByRole('button', { name: /Apply my patch on version/ }).click();
    await delta.getByRole('row', { name: /interval\s+45/ }).waitFor({ timeout: 10_000 });
    await delta.getByRole('row', { name: /mode\s+eco/ }).waitFor({ timeout: 10_000 });
    const state = await rest('GET', '/twins/probe-live/state');
    expect(state.body).toMatchObject({ data: { desired: { interval: 45, mode: 'eco' } } });
  });

  it('sends a command that reaches acknowledged', async () => {
    await page.goto(`${service.url}/#/twin/sim-0001`);
    await page.getByRole('heading', { name: 'sim-0001' }).waitFor();
    await page.getByLabel('Action').fill('blink');
    await page.getByLabel('Parameters (JSON)').fill('{"times": 2}');
    await page.getByRole('button', { name: 'Send command' }).click();
    const row = page.locator('table.commands tr', { hasText: 'blink' });
    await row.getByText('acknowledged', { exact: true }).waitFor({ timeout: 30_000 });
    // the chart shows the stored history (GET /telemetry), continued by the live readings
    await waitFor(
      'history values in the chart',
      async () => /stored history: ([2-9]|\d\d+) values/.test(await page.locator('.source').innerText()),
      {
        timeoutMs: 15_000,
      },
    );
    await screenshot(page, 'twin');
  });

  it('shows the system view', async () => {
    await page.goto(`${service.url}/#/system`);
    await page.getByRole('heading', { name: 'Instances and partitions' }).waitFor({ timeout: 10_000 });
    await page.getByText('ready', { exact: true }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'system');
  });

  it('says "rebalancing, retrying" while the API answers 503, then recovers by itself', async () => {
    b = await startService(d, 'b');
    await waitFor(
      'two instances sharing the partitions',
      async () => {
        const view = (await rest('GET', '/system/instances')).body as {
          data: { state: string; instances: unknown[] };
        };
        return view.data.state === 'current' && view.data.instances.length === 2;
      },
      { timeoutMs: 60_000 },
    );
    // A frozen peer: lists fan out to it, get no answer and are 503 NOT_READY (real processes, no mock).
    process.kill(b.process.pid!, 'SIGSTOP');
    try {
      await page.goto(`${service.url}/#/`);
      const banner = page.getByRole('status').filter({ hasText: 'rebalancing, retrying' });
      await banner.waitFor({ timeout: 15_000 });
      await screenshot(page, 'rebalancing');
      expect(await page.getByRole('alert').count()).toBe(0);
    } finally {
      process.kill(b.process.pid!, 'SIGCONT');
    }
    await page.getByRole('link', { name: 'sim-0001', exact: true }).waitFor({ timeout: 60_000 });
    await page
      .getByRole('status')
      .filter({ hasText: 'rebalancing, retrying' })
      .waitFor({ state: 'detached' });
  });

  it('resumes the live stream after the instance restarts, missing nothing, without a reload', async () => {
    await page.getByText('live', { exact: true }).waitFor({ timeout: 10_000 });
    const origin = await page.evaluate('window.performance.timeOrigin');
    await service.process.kill('SIGTERM');
    await page.getByText('reconnecting…').waitFor({ timeout: 15_000 });
    // Written while the page is disconnected, through the other instance.
    await waitFor(
      'probe-resume registered through instance b',
      async () => {
        const res = await httpRequest(b.url, 'POST', '/api/v1/twins', {
          headers: { authorization: `Bearer ${token}` },
          body: { id: 'probe-resume', type: 'probe' },
        });
        return res.status === 202 || res.status === 409; // 409: an earlier try landed after all
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const port = new URL(service.url).port;
    const again = d.processes.spawn(
      'api/main.js',
      {
        ...d.env,
        HTTP_PORT: port,
        HTTP_HOST: '127.0.0.1',
        ADVERTISED_URL: service.url,
        STATE_DIR: d.stateDir('a'),
      },
      'service-a-again',
    );
    await waitForReady(again, service.url);
    // Only a stream resumed from its Last-Event-ID can show a change made while it was down.
    await page.getByRole('link', { name: 'probe-resume', exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.performance.timeOrigin')).toBe(origin);
  });

  it('shows the login again when the token stops working', async () => {
    await page.evaluate("sessionStorage.setItem('twinfold.token', 'revoked')");
    await page.reload();
    await page.getByLabel('API token').waitFor({ timeout: 10_000 });
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
  });
});
