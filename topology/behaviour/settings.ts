import type { BehaviourSettings } from './types';

/** Seed 001 section 1.3's abnormal behaviours, as thresholds a trained model should beat. */
export const DEFAULT_BEHAVIOUR_SETTINGS: Readonly<BehaviourSettings> = Object.freeze({
  windowMs: 60_000,
  warmup: 5,
  spikeK: 4,
  mixDistance: 0.5,
  reconnectBurst: 3,
  floodConnects: 10,
  entropyBits: 2.3,
  latencyMs: 1000,
  beaconCv: 0.25,
  irregularCv: 0.3,
});
