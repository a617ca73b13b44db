import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readImageSpec, readRepoFile, REPO_ROOT } from '../support/dockerfile';
import { freePort } from '../support/free-port';
import { deployment, type Deployment } from '../support/stack';
import { waitFor } from '../support/wait';

/**
 * The image's command, run on the host (no Docker engine here): the Dockerfile's ENTRYPOINT + CMD
 * and ENV, from the repository root standing in for WORKDIR (dist/ and node_modules/ are there),
 * against the test Kafka and Mosquitto. Only what `docker run -p ... -v ... -e ...` would change is
 * changed: ports, the state volume and the broker addresses. Then the HEALTHCHECK command, for both
 * roles, and a clean exit on SIGTERM through the init.
 */
const spec = readImageSpec(readRepoFile('Dockerfile'));
const TOKEN = 'container-test-admin-token-00001';

/** ENTRYPOINT + CMD as argv; without tini on this machine the init is left out, said loudly. */
function imageCommand(cmd: string[]): string[] {
  const argv = [...spec.entrypoint, ...cmd];
  if (argv[0]!.endsWith('/tini') && !existsSync(argv[0]!)) {
    process.stderr.write(
      `\n*** ${argv[0]} is not installed here: running the command without the init ***\n\n`,
    );
    argv.splice(0, 2);
  }
  return argv.map((a) => (a === 'node' ? process.execPath : a));
}

function run(argv: string[], env: Record<string, string>): ChildProcess {
  return spawn(argv[0]!, argv.slice(1), {
    cwd: REPO_ROOT,
    // On the host tini is not PID 1: let it reap as a subreaper instead (and not warn about it).
    env: { PATH: process.env.PATH ?? '', TINI_SUBREAPER: '1', ...spec.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
    // Its own process group, so a failed test can kill tini and node together.
    detached: true,
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));

/** The HEALTHCHECK command with the container's environment: its exit code. */
function healthcheck(env: Record<string, string>): number | null {
  const [cmd, ...args] = spec.healthcheck!;
  return spawnSync(cmd === 'node' ? process.execPath : cmd!, args, {
    env: { PATH: process.env.PATH ?? '', ...spec.env, ...env },
    timeout: 10000,
  }).status;
}

async function ready(url: string, child: ChildProcess): Promise<void> {
  await waitFor(
    `${url} to be ready`,
    async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      return (await fetch(url).catch(() => undefined))?.ok;
    },
    { timeoutMs: 90000, intervalMs: 200 },
  );
}

describe("the image's command on the host", () => {
  let d: Deployment;
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.pid !== undefined) process.kill(-c.pid, 'SIGKILL');
    await d?.cleanup();
  });

  it('serves as the service and as the bridge, passes its HEALTHCHECK, and stops cleanly on SIGTERM', async () => {
    d = deployment('container-command');
    const ports = { HTTP_PORT: String(await freePort()), BRIDGE_HTTP_PORT: String(await freePort()) };
    const env = {
      ...d.env,
      ...ports,
      AUTH_MODE: 'static',
      AUTH_TOKENS: `${TOKEN}:admin`,
      STATE_DIR: d.stateDir('volume'),
      ADVERTISED_URL: `http://127.0.0.1:${ports.HTTP_PORT}`,
    };
    expect(spec.cmd).toEqual(['dist/api/main.js']);
    expect(healthcheck(env)).toBe(1); // nothing answers yet

    const service = run(imageCommand(spec.cmd), env);
    children.push(service);
    await ready(`http://127.0.0.1:${ports.HTTP_PORT}/readyz`, service);
    expect(healthcheck(env)).toBe(0);
    // Ready means joined and restored; the routing map follows the group a moment later (503 till then).
    await waitFor('the API to list twins', async () => {
      const twins = await fetch(`http://127.0.0.1:${ports.HTTP_PORT}/api/v1/twins`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      if (twins.status !== 200 && twins.status !== 503) throw new Error(`HTTP ${twins.status}`);
      return twins.status === 200;
    });

    // The bridge: the same image, the command docker-compose.yml and k8s/ give it.
    const bridgeOnly = { ...env, HTTP_PORT: String(await freePort()) };
    const bridge = run(imageCommand(['dist/bridge/main.js']), bridgeOnly);
    children.push(bridge);
    await ready(`http://127.0.0.1:${ports.BRIDGE_HTTP_PORT}/readyz`, bridge);
    expect(healthcheck({ ...bridgeOnly, HTTP_PORT: String(await freePort()) })).toBe(0);

    bridge.kill('SIGTERM');
    service.kill('SIGTERM');
    expect(await exited(bridge)).toBe(0);
    expect(await exited(service)).toBe(0);
    expect(healthcheck(env)).toBe(1);
  });
});
