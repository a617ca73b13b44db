import { between, pick, type Random } from './random';

/** How one sensor reading moves: a bounded random walk around `base`. */
export interface ChannelSpec {
  base: number;
  /** Half-width of the initial spread around `base` between devices. */
  spread: number;
  /** Largest move of one step of the walk. */
  step: number;
  min: number;
  max: number;
  decimals: number;
  /** Counters (energy): the walk only goes up. */
  monotonic?: boolean;
}

/** What a channel is doing wrong right now (abnormal network behaviour). */
export type Anomaly =
  | { kind: 'spike' }
  | { kind: 'stuck'; left: number; value: number }
  | { kind: 'drift'; left: number; offset: number; perStep: number };

export type AnomalyKind = Anomaly['kind'];

const ANOMALY_KINDS: readonly AnomalyKind[] = ['spike', 'stuck', 'drift'];

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/**
 * One reading of one device: a random walk plus, now and then, an anomaly: a one-reading spike,
 * a value stuck for a while, or a slow drift that then snaps back.
 */
export class Channel {
  private value: number;
  private anomaly: Anomaly | undefined;

  constructor(
    private readonly spec: ChannelSpec,
    random: Random,
  ) {
    this.value = spec.base + between(random, -spec.spread, spec.spread);
  }

  /** The anomaly in progress, if any. */
  get current(): AnomalyKind | undefined {
    return this.anomaly?.kind;
  }

  /**
   * Advances the walk and returns the reading; starts an anomaly with probability `anomalyRate`.
   * `anomaly` is the ground truth: the anomaly that shaped this reading, if any (a drift's last
   * reading included; the reading after it snaps back is not one).
   */
  next(
    random: Random,
    anomalyRate: number,
  ): { value: number; started: AnomalyKind | undefined; anomaly: AnomalyKind | undefined } {
    const { spec } = this;
    const move = spec.monotonic ? random() * spec.step : between(random, -spec.step, spec.step);
    this.value = Math.min(spec.max, Math.max(spec.min, this.value + move));
    let started: AnomalyKind | undefined;
    if (this.anomaly === undefined && random() < anomalyRate) {
      started = pick(random, ANOMALY_KINDS);
      this.anomaly = this.begin(started, random);
    }
    const anomaly = this.anomaly?.kind;
    return { value: round(this.apply(random), spec.decimals), started, anomaly };
  }

  private begin(kind: AnomalyKind, random: Random): Anomaly {
    const left = 5 + Math.floor(random() * 20);
    if (kind === 'spike') return { kind };
    if (kind === 'stuck') return { kind, left, value: this.value };
    const perStep = (random() < 0.5 ? -1 : 1) * this.spec.step * 0.5;
    return { kind, left, offset: 0, perStep };
  }

  private apply(random: Random): number {
    const a = this.anomaly;
    if (a === undefined) return this.value;
    if (a.kind === 'spike') {
      this.anomaly = undefined;
      const size = (this.spec.spread + this.spec.step * 10) * between(random, 2, 4);
      return this.value + (random() < 0.5 ? -1 : 1) * size;
    }
    a.left -= 1;
    if (a.left <= 0) this.anomaly = undefined;
    if (a.kind === 'stuck') return a.value;
    a.offset += a.perStep;
    return this.value + a.offset;
  }
}
