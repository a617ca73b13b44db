import type { Server } from 'node:http';
import { EXIT_CODES } from './exit-codes';
import type { Logger } from './logger';

/** A long-running part of a process: the bridge, an adapter. */
export interface Stoppable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * How a bridge-like process (the bridge, the Hono and ThingsBoard adapters) lives and ends:
 * SIGTERM/SIGINT stop it gracefully and exit 0 (a second signal exits at once, 1); `fail` (a part
 * that gave up for good) stops it the same way and exits 1, for its supervisor to start a fresh
 * one. The HTTP server (metrics, health) closes after the component, idle keep-alive connections
 * included (a scraper's would hold `close()` open).
 */
export class ProcessLifecycle {
  private stopping = false;
  private running: { component: Stoppable; server: Server } | undefined;

  constructor(private readonly logger: Logger) {}

  /** Starts `component`, stopping on signals from now on; rejects when it cannot start. */
  async run(component: Stoppable, server: Server): Promise<void> {
    this.running = { component, server };
    process.on('SIGTERM', () => this.stop('SIGTERM', EXIT_CODES.ok));
    process.on('SIGINT', () => this.stop('SIGINT', EXIT_CODES.ok));
    try {
      await component.start();
    } catch (err) {
      if (this.stopping) return; // stopped by a signal while starting: stop() exits
      server.close();
      throw err;
    }
  }

  /** A part gave up for good: stop, then exit 1. */
  fail(): void {
    if (this.stopping) return; // already stopping
    this.stop('failure', EXIT_CODES.failed);
  }

  private stop(reason: NodeJS.Signals | 'failure', code: number): void {
    const { logger, running } = this;
    if (this.stopping || running === undefined) {
      logger.warn('exiting now', { signal: reason, stopping: this.stopping });
      process.exit(EXIT_CODES.failed);
    }
    this.stopping = true;
    logger.info('stopping', { reason });
    running.component
      .stop()
      .then(() => {
        const closed = new Promise<void>((resolve) => running.server.close(() => resolve()));
        running.server.closeAllConnections();
        return closed;
      })
      .then(() => process.exit(code))
      .catch((err: unknown) => {
        logger.error('unclean stop', { error: err });
        process.exit(EXIT_CODES.failed);
      });
  }
}
