import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { envFile, testEnv } from './env';
import { killLeaked } from './leaks';

/** Stops exactly what global setup started, and nothing the developer was already running. */
export default async function globalTeardown(): Promise<void> {
  const leaked = killLeaked();
  const { started } = testEnv();
  if (started.mosquittoPid) {
    try {
      process.kill(started.mosquittoPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (started.mosquittoDir) rmSync(started.mosquittoDir, { recursive: true, force: true });
  if (started.kafkaPort) {
    execFileSync('bash', [join(__dirname, '..', '..', 'scripts', 'kafka.sh'), 'stop'], {
      stdio: 'inherit',
      env: { ...process.env, KAFKA_PORT: String(started.kafkaPort), KAFKA_DATA_DIR: started.kafkaDataDir },
    });
    if (started.kafkaDataDir) rmSync(started.kafkaDataDir, { recursive: true, force: true });
  }
  if (started.containerId) execFileSync('docker', ['rm', '-f', started.containerId], { stdio: 'ignore' });
  rmSync(envFile(), { force: true });
  if (leaked.length > 0)
    throw new Error(`tests left processes running (killed now; stop them in afterAll): ${leaked.join(', ')}`);
}
