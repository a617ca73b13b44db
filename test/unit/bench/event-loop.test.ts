import { eventLoopDelayFromMetrics } from '../../../bench/support/event-loop';

const exposition = [
  '# HELP nodejs_eventloop_lag_p50_seconds The 50th percentile of the recorded event loop delays.',
  '# TYPE nodejs_eventloop_lag_p50_seconds gauge',
  'nodejs_eventloop_lag_p50_seconds 0.0105',
  'nodejs_eventloop_lag_p90_seconds 0.012',
  'nodejs_eventloop_lag_p99_seconds 0.0251',
  'nodejs_eventloop_lag_max_seconds 0.0804',
  'nodejs_eventloop_lag_seconds 0.001',
].join('\n');

describe('the event-loop delay read from /metrics', () => {
  it('gives p50, p99 and max in ms beyond the 10 ms sampling interval', () => {
    expect(eventLoopDelayFromMetrics(exposition)).toEqual({ p50: 0.5, p99: 15.1, max: 70.4 });
  });

  it('is undefined when a gauge is missing or not a number', () => {
    expect(
      eventLoopDelayFromMetrics(exposition.replace(/^nodejs_eventloop_lag_max.*$/m, '')),
    ).toBeUndefined();
    expect(eventLoopDelayFromMetrics(exposition.replace('0.0251', 'NaN'))).toBeUndefined();
  });
});
