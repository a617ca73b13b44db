import { alertView } from '../traits/view';
import type { BehaviourState, BehaviourView } from './types';

/** The twin document's `behaviour` section: the last closed window's features and the open alerts. */
export function behaviourView(state: BehaviourState): BehaviourView {
  return { window: state.f === null ? null : { ...state.f }, alerts: state.alerts.map(alertView) };
}
