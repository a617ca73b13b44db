import type { HttpClient } from './support/http';
import { sleep } from './support/ports';

/** A numbered message that was just sent. */
export interface SentMessage {
  deviceId: string;
  seq: number;
  at: number;
}

const POLL_MS = 2;
const GIVE_UP_MS = 10_000;

/**
 * Measures when a message becomes visible over REST: a few times a second it takes the message
 * just sent and polls GET /api/v1/twins/{id} every 2 ms until `reported.seq` reaches it. The
 * resolution is the poll interval plus one GET; few probes keep the polling load small.
 */
export class RestProber {
  readonly samples: number[] = [];
  timeouts = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly http: HttpClient,
    private readonly latest: () => SentMessage | undefined,
    private readonly perSecond: number,
    private readonly maxConcurrent = 4,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      const target = this.latest();
      if (!target || this.running.size >= this.maxConcurrent) return;
      const p = this.probe(target).finally(() => this.running.delete(p));
      this.running.add(p);
    }, 1000 / this.perSecond);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.running]);
  }

  private async probe({ deviceId, seq, at }: SentMessage): Promise<void> {
    const path = `/api/v1/twins/${encodeURIComponent(deviceId)}`;
    while (Date.now() - at < GIVE_UP_MS) {
      const answer = await this.http.get(path).catch(() => undefined);
      if (answer?.status === 200) {
        const body = JSON.parse(answer.body) as { data?: { reported?: { seq?: unknown } } };
        const got = body.data?.reported?.seq;
        if (typeof got === 'number' && got >= seq) {
          this.samples.push(Date.now() - at);
          return;
        }
      }
      await sleep(POLL_MS);
    }
    this.timeouts += 1;
  }
}
