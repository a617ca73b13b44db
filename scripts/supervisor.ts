/**
 * Keeps `npm start`'s children running: a child that exits while the stack is not stopping is
 * started again after a backoff (1 s, doubling to 30 s; back to 1 s once it ran for a minute),
 * and the others keep running. A program that cannot be started at all (not installed) stops the
 * stack instead, with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pipePretty } from './pretty-logs';

export interface ChildSpec {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Discard its standard output (stderr still shows). */
  quiet?: boolean;
}

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** A child that ran this long before exiting counts as healthy: its next backoff starts over. */
const HEALTHY_AFTER_MS = 60_000;

/** The wait before restarting a child that exited after running `ranMs`, its previous wait given. */
export function nextBackoff(previousMs: number | undefined, ranMs: number): number {
  if (previousMs === undefined || ranMs >= HEALTHY_AFTER_MS) return FIRST_BACKOFF_MS;
  return Math.min(MAX_BACKOFF_MS, previousMs * 2);
}

interface Supervised {
  spec: ChildSpec;
  child: ChildProcess;
  startedAt: number;
  backoffMs: number | undefined;
  restarts: number;
  timer: NodeJS.Timeout | undefined;
}

export class Supervisor {
  private readonly all: Supervised[] = [];
  private stopping = false;

  constructor(
    private readonly say: (msg: string) => void,
    /** Called when a child cannot be started at all. */
    private readonly fatal: (reason: string) => void,
  ) {}

  start(spec: ChildSpec): void {
    const entry: Supervised = {
      spec,
      child: this.spawn(spec),
      startedAt: Date.now(),
      backoffMs: undefined,
      restarts: 0,
      timer: undefined,
    };
    this.all.push(entry);
    this.watch(entry);
  }

  /** Stops every child (SIGTERM, SIGKILL after 15 s), last started first; no more restarts. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const e of this.all) clearTimeout(e.timer);
    await Promise.all(
      [...this.all].reverse().map(({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 15000);
        return exited.finally(() => clearTimeout(force));
      }),
    );
  }

  /** Log lines go through pino-pretty unless LOG_FORMAT=json asks for them raw. */
  private spawn(spec: ChildSpec): ChildProcess {
    const pretty = !spec.quiet && process.env.LOG_FORMAT !== 'json';
    const child = spawn(spec.args[0]!, spec.args.slice(1), {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', spec.quiet ? 'ignore' : pretty ? 'pipe' : 'inherit', 'inherit'],
    });
    if (pretty && child.stdout) pipePretty(spec.name, child.stdout, process.stdout, process.stdout.isTTY);
    return child;
  }

  private watch(entry: Supervised): void {
    const { child, spec } = entry;
    let failed = false;
    child.once('error', (err: NodeJS.ErrnoException) => {
      failed = true;
      if (err.code === 'ENOENT') this.fatal(`${spec.name}: ${spec.args[0]} is not installed`);
      else this.fatal(`${spec.name}: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      if (this.stopping || failed) return;
      const ranMs = Date.now() - entry.startedAt;
      entry.backoffMs = nextBackoff(entry.backoffMs, ranMs);
      entry.restarts += 1;
      this.say(
        `${spec.name} exited (${signal ?? `code ${code}`}) after ${Math.round(ranMs / 1000)} s; ` +
          `restarting it in ${entry.backoffMs / 1000} s (restart ${entry.restarts}); the rest keeps running`,
      );
      entry.timer = setTimeout(() => {
        if (this.stopping) return;
        entry.child = this.spawn(spec);
        entry.startedAt = Date.now();
        this.watch(entry);
        this.say(`${spec.name} restarted (pid ${entry.child.pid})`);
      }, entry.backoffMs);
    });
  }
}
