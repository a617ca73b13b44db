/**
 * The network-behaviour twin (seed 001 sections 1.1–1.4): per device, from the metadata of its
 * messages (size, QoS, DUP, retain, kind, device time, connects) and record times only, windowed
 * features, exponentially weighted baselines, and alerts for seed 001's abnormal behaviours.
 * Pure functions: no I/O, no clock.
 */
export * from './types';
export { DEFAULT_BEHAVIOUR_SETTINGS } from './settings';
export { updateBehaviour, type BehaviourUpdate } from './update';
export { FEATURE_COLUMNS, entropyBits } from './features';
export { behaviourView } from './view';
export type { Observation } from './window';
