import { nextBackoff } from '../../../scripts/supervisor';
import type { ServiceProcess } from '../processes';

/** How one run of a supervised process ended. */
export interface ExitRecord {
  name: string;
  atMs: number;
  /** null when a signal ended it. */
  code: number | null;
}

/**
 * A process restarted whenever it exits, after the backoff `npm start`'s supervisor would wait
 * (scripts/supervisor.ts), until `stop()`. Signals always go to the process running now: an
 * instance may have exited and been replaced since the caller last looked.
 */
export class Supervised {
  readonly exits: ExitRecord[] = [];
  private proc: ServiceProcess;
  private startedAt = Date.now();
  private backoffMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly name: string,
    private readonly spawn: () => ServiceProcess,
  ) {
    this.proc = this.launch();
  }

  /** The process of the current run (it may have exited and be waiting for its restart). */
  get current(): ServiceProcess {
    return this.proc;
  }

  /** Sends `signal` to the current process when it runs; returns its pid, or undefined. */
  signal(signal: NodeJS.Signals): number | undefined {
    const { proc } = this;
    if (!proc.running || proc.pid === undefined) return undefined;
    process.kill(proc.pid, signal);
    return proc.pid;
  }

  /** No more restarts; SIGKILL (which also ends a stopped process) and wait for the exit. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.signal('SIGKILL');
    await this.proc.exited;
  }

  private launch(): ServiceProcess {
    const proc = this.spawn();
    this.startedAt = Date.now();
    void proc.exited.then((code) => {
      if (this.stopped) return;
      this.exits.push({ name: this.name, atMs: Date.now(), code });
      this.backoffMs = nextBackoff(this.backoffMs, Date.now() - this.startedAt);
      this.timer = setTimeout(() => {
        if (!this.stopped) this.proc = this.launch();
      }, this.backoffMs);
    });
    return proc;
  }
}
