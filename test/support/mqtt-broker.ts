import { spawn } from 'node:child_process';
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
  /** SIGTERM, and removes its files (the persistence database with them). */
  stop(): Promise<void>;
}

/**
 * Starts Mosquitto on a free port with the shipped configuration: `open` (anonymous, the shipped
 * limits and persistence) or the shipped ACL with the given users. Its own process group, so a
 * Ctrl-C of jest does not reach it before teardown.
 */
export async function startTestMosquitto(
  auth: MosquittoSetup['auth'],
  extraConf: string[] = [],
): Promise<TestMosquitto> {
  const port = await freePort();
  const dir = join(ROOT, '.cache', 'mosquitto', `test-${port}`);
  rmSync(dir, { recursive: true, force: true });
  const conf = writeMosquittoFiles({ dir, port, auth, extraConf });
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore', detached: true });
  child.unref();
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    dir,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
