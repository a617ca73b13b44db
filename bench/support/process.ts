import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from './ports';

const KEEP_LINES = 2000;
const running = new Set<BenchProcess>();

/** SIGKILLs every benchmark process still running (on an interrupted run). */
export function killAll(): void {
  for (const p of running) p.kill();
}

/**
 * A child process of the benchmark (a twinfold entry point or a broker) with its output in a log
 * file and its last lines in memory. `stop` sends SIGTERM and, after a grace period, SIGKILL.
 */
export class BenchProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private partial = '';

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: Record<string, string>,
    logFile: string,
  ) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.log = createWriteStream(logFile);
    const collect = (chunk: Buffer): void => {
      this.log.write(chunk);
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) if (line) this.lines.push(line);
      if (this.lines.length > KEEP_LINES) this.lines.splice(0, this.lines.length - KEEP_LINES);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    running.add(this);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        running.delete(this);
        this.log.end();
        resolve(code);
      });
      this.child.once('error', () => {
        running.delete(this);
        resolve(null);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line matching `pattern` so far. */
  findLine(pattern: RegExp): string | undefined {
    return this.lines.find((l) => pattern.test(l));
  }

  /** Waits for a line matching `pattern`; fails with the last lines when the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return waitUntil(
      `${this.name} to log ${pattern}`,
      () => this.findLine(pattern),
      timeoutMs,
      50,
      () => (this.running ? undefined : `${this.name} exited:\n${this.tail()}`),
    );
  }

  tail(n = 15): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Resident set size in bytes, from /proc (Linux); undefined elsewhere or once exited. */
  rssBytes(): number | undefined {
    if (!this.pid || !this.running) return undefined;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) * 1024;
    } catch {
      return undefined;
    }
  }

  /**
   * CPU time the process has used so far (user + system, ms), from /proc (Linux); undefined
   * elsewhere or once exited. On a shared machine this moves far less with the load than a rate.
   */
  cpuMs(): number | undefined {
    if (!this.pid || !this.running) return undefined;
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL, no waiting. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 20000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Where the compiled entry points live (dist/, next to this file's own compiled folder). */
export const DIST = join(__dirname, '..', '..');
export const ROOT = join(DIST, '..');

/** Starts `node dist/<script>`, with `--cpu-prof` into `profileDir` when given. */
export function nodeProcess(
  name: string,
  script: string,
  env: Record<string, string>,
  logDir: string,
  profileDir?: string,
): BenchProcess {
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return new BenchProcess(
    name,
    process.execPath,
    [...flags, join(DIST, script)],
    env,
    join(logDir, `${name}.log`),
  );
}
