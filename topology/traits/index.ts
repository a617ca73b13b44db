/**
 * Computed traits (seed 003): per numeric reported field, updated by the fold from reading times
 * only. Pure functions: no I/O, no clock.
 */
export * from './types';
export { DEFAULT_PROFILE, fieldSettings, validateProfile } from './profile';
export { updateTraits, healthOf, foldedScore, type TraitReadings, type TraitsUpdate } from './update';
export { healthStatus } from './health';
export { evaluationOf, upgradeTraits } from './evaluation';
export type { AlertTransition } from './alerts';
export { traitsView } from './view';
