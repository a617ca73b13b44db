import { readFileSync } from 'node:fs';
import { httpRequest, type HttpAnswer } from '../http-client';
import type { MemorySample, ProbeAnswer } from './probe-analysis';
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

async function heapUsedKb(url: string): Promise<number | undefined> {
  const answer = await httpRequest(url, 'GET', '/metrics', { timeoutMs: 3000 }).catch(() => undefined);
  const m = answer?.status === 200 ? /^nodejs_heap_size_used_bytes (\S+)$/m.exec(answer.text) : null;
  return m ? Math.round(Number(m[1]) / 1024) : undefined;
}

/** The version and reported seq of a 200 answer's twin document. */
function twinOf(answer: HttpAnswer | undefined): Pick<ProbeAnswer, 'version' | 'seq'> {
  if (answer?.status !== 200) return {};
  const doc = (answer.body as { data?: { version?: unknown; reported?: { seq?: unknown } } } | undefined)
    ?.data;
  return {
    ...(typeof doc?.version === 'number' ? { version: doc.version } : {}),
    ...(typeof doc?.reported?.seq === 'number' ? { seq: doc.reported.seq } : {}),
  };
}

/**
 * Readers and a memory sampler running beside the soak: one reader per sampled twin asks the
 * instances in turn for GET /twins/{id} (one request at a time, as a client behind a load
 * balancer would); the sampler reads every instance's RSS. `stop()` ends both.
 */
export class Probes {
  readonly answers: ProbeAnswer[] = [];
  readonly rss: MemorySample[] = [];
  /** V8 heap in use (prom-client's nodejs_heap_size_used_bytes), to tell heap growth from RSS growth. */
  readonly heap: MemorySample[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(instances: readonly ProbedInstance[], twins: readonly string[], intervalMs = 200) {
    this.loops = [
      ...twins.map((twin, i) => this.read(instances, twin, i, intervalMs)),
      this.sample(instances, 2000),
    ];
  }

  /** The highest `reported.seq` a 200 for `twin` showed for a request sent at or after `sinceMs`. */
  newestSeq(twin: string, sinceMs: number): number | undefined {
    let newest: number | undefined;
    // Answers are in the order they came back, their times those of the requests: look a little further.
    for (let i = this.answers.length - 1; i >= 0 && this.answers[i]!.atMs >= sinceMs - 10_000; i--) {
      const a = this.answers[i]!;
      if (a.twin === twin && a.atMs >= sinceMs && a.seq !== undefined)
        newest = Math.max(newest ?? a.seq, a.seq);
    }
    return newest;
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
      this.answers.push({
        twin,
        instance: instance.name,
        atMs,
        status: answer?.status ?? 0,
        ...twinOf(answer),
      });
      await sleep(intervalMs);
    }
  }

  private async sample(instances: readonly ProbedInstance[], intervalMs: number): Promise<void> {
    let round = 0;
    while (this.running) {
      for (const { name, process } of instances) {
        const { pid, running } = process.current;
        const kb = running && pid !== undefined ? rssKb(pid) : undefined;
        if (kb !== undefined) this.rss.push({ instance: name, atMs: Date.now(), kb });
      }
      if (++round % 5 === 0) await Promise.all(instances.map((i) => this.sampleHeap(i)));
      await sleep(intervalMs);
    }
  }

  private async sampleHeap({ name, url }: ProbedInstance): Promise<void> {
    const kb = await heapUsedKb(url);
    if (kb !== undefined) this.heap.push({ instance: name, atMs: Date.now(), kb });
  }
}
