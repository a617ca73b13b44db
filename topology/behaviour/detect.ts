import type { Condition } from '../traits/alerts';
import type { BehaviourBaselines, BehaviourFeatures, BehaviourSettings } from './types';

/**
 * Seed 001 section 1.3's abnormal behaviours, judged on one closed window against the baselines
 * as they were before it. `calm` is the hysteresis: the measure back below `clearRatio` × its
 * raise threshold. Spikes, mix and timing are judged only once the baselines are warm.
 */
export function behaviourConditions(
  f: BehaviourFeatures,
  b: BehaviourBaselines,
  s: BehaviourSettings,
  clearRatio: number,
): Condition[] {
  const warm = b.windows >= s.warmup;
  const rateBar = Math.max(b.rate.mean + s.spikeK * Math.sqrt(b.rate.variance), 3 * b.rate.mean);
  const spike = warm && f.rate * (f.windowMs / 1000) >= 10 && f.rate > rateBar;
  const mix = warm && f.messages >= 3 && f.mixDistance >= s.mixDistance;
  const entropy = f.messages >= 6 && f.sizeEntropy >= s.entropyBits && f.sizeEntropy >= b.entropy.mean + 1;
  const latencyBar = b.latency.mean + Math.max(s.latencyMs, 4 * Math.sqrt(b.latency.variance));
  const timing = warm && b.latency.n > 0 && f.latencyMs !== null && f.latencyMs > latencyBar;
  const cv = f.interArrivalCv;
  const beacon =
    warm && cv !== null && f.messages >= 7 && cv < s.beaconCv && b.cv.n > 0 && b.cv.mean > s.irregularCv;
  const r = clearRatio;
  return [
    cond(
      'TRAFFIC_SPIKE',
      spike,
      f.rate < r * rateBar,
      'HIGH',
      () => `Traffic spike: ${f.rate} msgs/s against an average of ${f.avgRate}`,
    ),
    cond(
      'PROTOCOL_MIX',
      mix,
      f.mixDistance < r * s.mixDistance,
      'MEDIUM',
      () => `Unusual message mix (distance ${f.mixDistance} from the baseline)`,
    ),
    cond(
      'RECONNECT_BURST',
      f.disconnects >= s.reconnectBurst,
      f.disconnects < r * s.reconnectBurst,
      'HIGH',
      () => `Repeated failed connections: ${f.disconnects} disconnects in one window`,
    ),
    cond(
      'PAYLOAD_ENTROPY',
      entropy,
      f.sizeEntropy < r * s.entropyBits,
      'MEDIUM',
      () => `High-entropy payload sizes: ${f.sizeEntropy} bits`,
    ),
    cond(
      'TIMING_ANOMALY',
      timing,
      f.latencyMs === null || f.latencyMs < b.latency.mean + r * s.latencyMs,
      'MEDIUM',
      () => `Timing anomaly: latency ${f.latencyMs} ms (jitter ${f.jitterMs} ms)`,
    ),
    cond(
      'CONNECTION_FLOOD',
      f.connects >= s.floodConnects,
      f.connects < r * s.floodConnects,
      'HIGH',
      () => `Connection flood: ${f.connects} connects in one window`,
    ),
    cond(
      'BEACONING',
      beacon,
      cv === null || cv > s.beaconCv / r,
      'HIGH',
      () => `Beacon-like traffic: every ${f.interArrivalMs} ms (variation ${cv})`,
    ),
  ];
}

function cond(
  type: Condition['type'],
  holds: boolean,
  calm: boolean,
  severity: Condition['severity'],
  message: () => string,
): Condition {
  return { type, holds, calm, severity, message };
}
