import { judge, type AlertBook, type AlertTransition } from '../traits/alerts';
import { nextBaseline } from '../traits/field';
import type { DeviceProfile } from '../traits';
import { behaviourConditions } from './detect';
import { featuresOf, mixOf } from './features';
import type { BehaviourBaselines, BehaviourFeatures, BehaviourSettings, BehaviourState } from './types';
import { addToWindow, closeTimes, copyWindow, emptyWindow, sentAt, type Observation } from './window';

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
 * one (its features are judged against the baselines at the window's end, alerts raised or
 * cleared with the traits' hysteresis, and the baselines learn the window unless it was
 * abnormal), then it joins its own window. A message older than the open window joins it (a late
 * one is not worth a second window). Within a window the order messages are folded in does not
 * matter (window.ts), so a device's topics may interleave in any fetch order. Pure: never
 * mutates `previous`.
 */
export function updateBehaviour(
  previous: BehaviourState | undefined,
  deviceId: string,
  o: Observation,
  s: BehaviourSettings,
  profile: DeviceProfile,
): BehaviourUpdate {
  const start = Math.floor(o.t / s.windowMs) * s.windowMs;
  // A state of an earlier layout (no kept send times) starts afresh.
  const before = previous !== undefined && Array.isArray(previous.w.ts) ? previous : undefined;
  let state: BehaviourState = before ?? {
    w: emptyWindow(start, null, null),
    last: sentAt(o),
    on: null,
    b: emptyBaselines(),
    f: null,
    alerts: [],
    raised: 0,
  };
  let closed: BehaviourFeatures | undefined;
  let transitions: AlertTransition[] = [];
  if (before !== undefined && start > before.w.s && before.w.n > 0) {
    const closing = closeWindow(before, deviceId, s, profile);
    state = closing.state;
    closed = closing.features;
    transitions = closing.transitions;
  }
  const w =
    start > state.w.s
      ? emptyWindow(start, before === undefined ? null : state.last, state.on)
      : copyWindow(state.w);
  addToWindow(w, o);
  const last = before === undefined ? sentAt(o) : Math.max(state.last, sentAt(o));
  return { state: { ...state, w, last }, transitions, closed };
}

function closeWindow(
  previous: BehaviourState,
  deviceId: string,
  s: BehaviourSettings,
  profile: DeviceProfile,
): { state: BehaviourState; features: BehaviourFeatures; transitions: AlertTransition[] } {
  const { b } = previous;
  const times = closeTimes(previous.w);
  const features = featuresOf(previous.w, times, s.windowMs, b);
  const conditions = behaviourConditions(features, b, s, profile.hysteresis.clearRatio);
  const book: AlertBook = { open: previous.alerts, raised: previous.raised, transitions: [] };
  // Behaviour alert ids are `<deviceId>:b:<n>`, apart from the traits' `<deviceId>:<n>`.
  // Judged at the window's end (record time), whichever message closed it.
  judge(book, `${deviceId}:b`, null, conditions, previous.w.s + s.windowMs, profile);
  const abnormal = conditions.some((c) => c.holds);
  return {
    state: {
      ...previous,
      b: abnormal ? b : learn(b, previous, features, profile),
      on: times.on,
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
