import { judge, type AlertBook, type AlertTransition } from '../traits/alerts';
import { nextBaseline } from '../traits/field';
import type { DeviceProfile } from '../traits';
import { behaviourConditions } from './detect';
import { featuresOf, mixOf } from './features';
import type { BehaviourBaselines, BehaviourFeatures, BehaviourSettings, BehaviourState } from './types';
import { addToWindow, copyWindow, emptyWindow, type Observation } from './window';

export interface BehaviourUpdate {
  state: BehaviourState;
  transitions: AlertTransition[];
  /** The window this message closed, if it closed one (a dataset row). */
  closed: BehaviourFeatures | undefined;
}

const EMPTY_BASELINE = { n: 0, mean: 0, variance: 0 };

function emptyBaselines(): BehaviourBaselines {
  return {
    rate: EMPTY_BASELINE,
    latency: EMPTY_BASELINE,
    cv: EMPTY_BASELINE,
    entropy: EMPTY_BASELINE,
    mix: [],
    peak: 0,
    windows: 0,
  };
}

/**
 * Folds one device message into its behaviour: a message in a later window first closes the open
 * one (its features are judged against the baselines, alerts raised or cleared with the traits'
 * hysteresis, and the baselines learn the window unless it was abnormal), then it joins its own
 * window. A message older than the open window joins it (records arrive in order per device; a
 * late one is not worth a second window). Pure: never mutates `previous`.
 */
export function updateBehaviour(
  previous: BehaviourState | undefined,
  deviceId: string,
  o: Observation,
  s: BehaviourSettings,
  profile: DeviceProfile,
): BehaviourUpdate {
  const start = Math.floor(o.t / s.windowMs) * s.windowMs;
  let state: BehaviourState = previous ?? {
    w: emptyWindow(start),
    last: o.meta.deviceTs ?? o.t,
    on: null,
    b: emptyBaselines(),
    f: null,
    alerts: [],
    raised: 0,
  };
  let closed: BehaviourFeatures | undefined;
  let transitions: AlertTransition[] = [];
  if (previous !== undefined && start > previous.w.s && previous.w.n > 0) {
    const closing = closeWindow(previous, deviceId, s, profile, o.t);
    state = closing.state;
    closed = closing.features;
    transitions = closing.transitions;
  }
  const w = start > state.w.s ? emptyWindow(start) : copyWindow(state.w);
  // The device's own send times when it gives them: the network's jitter does not hide a beacon.
  const sentAt = o.meta.deviceTs ?? o.t;
  const gap = previous === undefined ? undefined : Math.max(0, sentAt - previous.last);
  let on = state.on;
  let session: number | undefined;
  if (o.status === 'online') on = o.t;
  else if (o.status === 'offline') {
    if (on !== null) session = Math.max(0, o.t - on);
    on = null;
  }
  addToWindow(w, o, gap, session);
  return { state: { ...state, w, last: sentAt, on }, transitions, closed };
}

function closeWindow(
  previous: BehaviourState,
  deviceId: string,
  s: BehaviourSettings,
  profile: DeviceProfile,
  t: number,
): { state: BehaviourState; features: BehaviourFeatures; transitions: AlertTransition[] } {
  const { b } = previous;
  const features = featuresOf(previous.w, s.windowMs, b);
  const conditions = behaviourConditions(features, b, s, profile.hysteresis.clearRatio);
  const book: AlertBook = { open: previous.alerts, raised: previous.raised, transitions: [] };
  // Behaviour alert ids are `<deviceId>:b:<n>`, apart from the traits' `<deviceId>:<n>`.
  judge(book, `${deviceId}:b`, null, conditions, t, profile);
  const abnormal = conditions.some((c) => c.holds);
  return {
    state: {
      ...previous,
      b: abnormal ? b : learn(b, previous, features, profile),
      f: features,
      alerts: book.open,
      raised: book.raised,
    },
    features,
    transitions: book.transitions,
  };
}

/** The baselines after a normal window. */
function learn(
  b: BehaviourBaselines,
  previous: BehaviourState,
  f: BehaviourFeatures,
  profile: DeviceProfile,
): BehaviourBaselines {
  const step = (x: { n: number; mean: number; variance: number }, v: number | null) =>
    v === null ? x : nextBaseline(x.n, x.mean, x.variance, v, undefined, profile);
  const mix = mixOf(previous.w);
  const alpha = Math.max(profile.baselineAlpha, 1 / (b.windows + 1));
  return {
    rate: step(b.rate, f.rate),
    latency: step(b.latency, f.latencyMs),
    cv: step(b.cv, f.interArrivalCv),
    entropy: step(b.entropy, f.sizeEntropy),
    mix: b.mix.length === 0 ? mix : mix.map((m, i) => b.mix[i]! + alpha * (m - b.mix[i]!)),
    peak: Math.max(f.rate, b.peak * 0.95),
    windows: b.windows + 1,
  };
}
