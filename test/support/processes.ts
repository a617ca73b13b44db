import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { noteSpawned } from './leaks';
import { waitFor } from './wait';

const ROOT = join(__dirname, '..', '..');
const LOG_DIR = join(ROOT, '.cache', 'test-logs');

/** A compiled twinfold entry point (dist/...) running as its own OS process, as in production. */
export class ServiceProcess {
  readonly lines: string[] = [];
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    script: string,
    env: Record<string, string>,
    readonly name = script,
  ) {
    this.child = spawn(process.execPath, [join(ROOT, 'dist', script)], {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Full output in .cache/test-logs/, for reading a failure after the fact (CI keeps the checkout).
    mkdirSync(LOG_DIR, { recursive: true });
    const file = createWriteStream(join(LOG_DIR, `${name.replace(/[^\w.-]+/g, '_')}-${Date.now()}.log`));
    const forget = noteSpawned(this.child.pid, name);
    this.child.once('exit', () => {
      file.end();
      forget();
    });
    const collect = (chunk: Buffer): void => {
      file.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) if (line) this.lines.push(line);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Waits for a log line matching `pattern`, or fails with the last lines of output. */
  async waitForLine(pattern: RegExp, timeoutMs = 60000): Promise<string> {
    return waitFor(
      `${this.name} to log ${pattern}`,
      () => {
        if (!this.running) throw new Error(`${this.name} exited:\n${this.lines.slice(-15).join('\n')}`);
        return this.lines.find((l) => pattern.test(l));
      },
      { timeoutMs },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\nlast output of ${this.name}:\n${this.lines.slice(-20).join('\n')}`);
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

/** Tracks the processes a test file spawns; `stopAll` in afterAll/afterEach so none is leaked. */
export class ProcessGroup {
  private readonly all: ServiceProcess[] = [];

  spawn(script: string, env: Record<string, string>, name?: string): ServiceProcess {
    const p = new ServiceProcess(script, env, name);
    this.all.push(p);
    return p;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((p) => p.kill('SIGKILL')));
    this.all.length = 0;
  }
}
