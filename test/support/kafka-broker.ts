import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'kafka.sh');
const run = promisify(execFile);

/**
 * A Kafka broker of a test's own (scripts/kafka.sh on free ports, data in a temp dir), for tests
 * that take Kafka away: stop() makes it really unavailable (the process exits, the port refuses
 * connections) and start() brings it back on the same port with the same data. Asynchronous, so
 * the test's clients keep running meanwhile. `destroy()` stops it and removes its data.
 */
export class OwnKafkaBroker {
  private constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly dataDir: string,
  ) {}

  static async create(): Promise<OwnKafkaBroker> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'twinfold-kafka-'));
    const env = {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(await freePort()),
      KAFKA_DATA_DIR: dataDir,
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
    };
    return new OwnKafkaBroker(port, env, dataDir);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** Starts the broker and resolves once it accepts connections. */
  async start(): Promise<void> {
    await run('bash', [SCRIPT, 'start'], { env: this.env });
  }

  /** Stops the broker (clean shutdown) and resolves once the process is gone. */
  async stop(): Promise<void> {
    await run('bash', [SCRIPT, 'stop'], { env: this.env });
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
