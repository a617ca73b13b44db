import type { HttpClient } from './http';

/** prom-client samples the event loop every 10 ms (`eventLoopMonitoringPrecision`). */
const SAMPLING_MS = 10;

export interface EventLoopDelay {
  p50: number;
  p99: number;
  max: number;
}

function gauge(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  const value = line === undefined ? NaN : Number(line.slice(name.length + 1));
  return Number.isFinite(value) ? value : undefined;
}

/**
 * The service's event-loop delay, in ms beyond the sampling interval, since the previous scrape of
 * its /metrics: prom-client reports `nodejs_eventloop_lag_{p50,p99,max}_seconds` from a
 * `monitorEventLoopDelay` histogram that it resets on every scrape. So scrape once to start a
 * window and once to read it; nothing else may scrape in between. undefined when the service does
 * not export the gauges.
 */
export async function scrapeEventLoopDelay(http: HttpClient): Promise<EventLoopDelay | undefined> {
  const answer = await http.get('/metrics');
  return answer.status === 200 ? eventLoopDelayFromMetrics(answer.body) : undefined;
}

/** The delay gauges of a Prometheus text exposition, in ms beyond the sampling interval. */
export function eventLoopDelayFromMetrics(text: string): EventLoopDelay | undefined {
  const ms = (name: string): number | undefined => {
    const seconds = gauge(text, `nodejs_eventloop_lag_${name}_seconds`);
    return seconds === undefined
      ? undefined
      : Math.max(0, Math.round((seconds * 1000 - SAMPLING_MS) * 10) / 10);
  };
  const [p50, p99, max] = [ms('p50'), ms('p99'), ms('max')];
  return p50 === undefined || p99 === undefined || max === undefined ? undefined : { p50, p99, max };
}
