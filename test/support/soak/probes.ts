import { readFileSync } from 'node:fs';
import { httpRequest } from '../http-client';
import type { ProbeAnswer, RssSample } from './probe-analysis';
import type { Supervised } from './supervised';

export interface ProbedInstance {
  name: string;
  url: string;
  process: Supervised;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** VmRSS of a running process in kB, or undefined when it is gone. */
function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Readers and a memory sampler running beside the soak: one reader per sampled twin asks the
 * instances in turn for GET /twins/{id} (one request at a time, as a client behind a load
 * balancer would); the sampler reads every instance's RSS. `stop()` ends both.
 */
export class Probes {
  readonly answers: ProbeAnswer[] = [];
  readonly rss: RssSample[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(instances: readonly ProbedInstance[], twins: readonly string[], intervalMs = 200) {
    this.loops = [
      ...twins.map((twin, i) => this.read(instances, twin, i, intervalMs)),
      this.sample(instances, 2000),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async read(
    instances: readonly ProbedInstance[],
    twin: string,
    offset: number,
    intervalMs: number,
  ): Promise<void> {
    for (let i = offset; this.running; i++) {
      const instance = instances[i % instances.length]!;
      const atMs = Date.now();
      const answer = await httpRequest(instance.url, 'GET', `/api/v1/twins/${twin}`, {
        timeoutMs: 5000,
      }).catch(() => undefined);
      const version = (answer?.body as { data?: { version?: unknown } } | undefined)?.data?.version;
      this.answers.push({
        twin,
        instance: instance.name,
        atMs,
        status: answer?.status ?? 0,
        ...(answer?.status === 200 && typeof version === 'number' ? { version } : {}),
      });
      await sleep(intervalMs);
    }
  }

  private async sample(instances: readonly ProbedInstance[], intervalMs: number): Promise<void> {
    while (this.running) {
      for (const { name, process } of instances) {
        const { pid, running } = process.current;
        const kb = running && pid !== undefined ? rssKb(pid) : undefined;
        if (kb !== undefined) this.rss.push({ instance: name, atMs: Date.now(), rssKb: kb });
      }
      await sleep(intervalMs);
    }
  }
}
