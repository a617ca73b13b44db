import { topicNames } from '../shared/topics';
import type { BenchContext } from './context';
import { deployment, startBridge, startService, type Deployment, type Service } from './support/deployment';
import { HttpClient } from './support/http';
import { benchKafka, TopicFeed } from './support/kafka';
import type { BenchProcess } from './support/process';

export type Guarantee = 'exactly_once' | 'at_least_once';

/**
 * The whole pipeline for the live benchmarks (end to end, hot device, API): one service
 * (under the given processing guarantee), one bridge, and a consumer following device.twins.
 */
export interface LiveStack {
  guarantee: Guarantee;
  d: Deployment;
  service: Service;
  bridge: BenchProcess;
  /** device.twins, read committed, from the beginning. */
  twins: TopicFeed;
  http: HttpClient;
  stop(): Promise<void>;
}

export async function startLiveStack(ctx: BenchContext, guarantee: Guarantee): Promise<LiveStack> {
  const d = deployment(ctx, `live-${guarantee.replace(/_/g, '-')}`, { PROCESSING_GUARANTEE: guarantee });
  try {
    const profile = ['e2e', 'api', 'hot'].some((b) => ctx.profile.has(b));
    const service = await startService(ctx, d, { profile });
    const bridge = await startBridge(ctx, d);
    const twins = new TopicFeed(
      benchKafka(ctx.brokers.kafka, 'bench-twins'),
      topicNames({ topicPrefix: d.prefix }).twins,
    );
    await twins.start();
    const http = new HttpClient(service.url, { authorization: `Bearer ${d.token}` });
    return {
      guarantee,
      d,
      service,
      bridge,
      twins,
      http,
      stop: async () => {
        http.close();
        await twins.stop();
        await d.cleanup();
      },
    };
  } catch (err) {
    await d.cleanup();
    throw err;
  }
}

/** `reported.seq` of a device.twins record, or undefined (tombstone, no seq, unparsable). */
export function reportedSeq(value: Buffer | null): number | undefined {
  if (!value) return undefined;
  // A full parse per record costs the load generator more than the lookup it needs.
  const text = value.toString('utf8');
  const at = text.indexOf('"reported":');
  if (at < 0) return undefined;
  const m = /"seq":(\d+)/.exec(text.slice(at, text.indexOf('"desired":', at)));
  return m ? Number(m[1]) : undefined;
}
