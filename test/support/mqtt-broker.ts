import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitForListener, writeMosquittoFiles, type MosquittoSetup } from '../../scripts/mosquitto';
import { freePort } from './free-port';

const ROOT = join(__dirname, '..', '..');

/** A Mosquitto of the tests' own, run with the shipped configuration (deploy/mosquitto/). */
export interface TestMosquitto {
  url: string;
  port: number;
  pid: number;
  dir: string;
  /** SIGTERM (Mosquitto saves its persistence database), then the same broker again on the same port. */
  restart(): Promise<void>;
  /** SIGTERM, and removes its files (the persistence database with them). */
  stop(): Promise<void>;
}

/** Runs mosquitto in its own process group (a Ctrl-C of jest does not reach it before teardown). */
async function run(conf: string, port: number): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore', detached: true });
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) =>
      reject(
        new Error(
          `could not start mosquitto (${err.message}); install it (apt-get install mosquitto) or set MQTT_URL`,
        ),
      ),
    );
    waitForListener(port).then(resolve, reject);
  });
  return { child, exited };
}

/**
 * Starts Mosquitto on a free port with the shipped configuration: `open` (anonymous, the shipped
 * limits and persistence) or the shipped ACL with the given users; `extraConf` lines last.
 */
export async function startTestMosquitto(
  auth: MosquittoSetup['auth'],
  extraConf: string[] = [],
): Promise<TestMosquitto> {
  const port = await freePort();
  const dir = join(ROOT, '.cache', 'mosquitto', `test-${port}`);
  rmSync(dir, { recursive: true, force: true });
  const conf = writeMosquittoFiles({ dir, port, auth, extraConf });
  let current = await run(conf, port);
  const terminate = async (): Promise<void> => {
    const { child, exited } = current;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.child.pid!;
    },
    dir,
    restart: async () => {
      await terminate();
      current = await run(conf, port);
    },
    stop: async () => {
      await terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
