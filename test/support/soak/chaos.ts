import { seededRandom } from '../../../scripts/simulator/random';
import type { OwnKafkaBroker } from '../kafka-broker';
import type { Supervised } from './supervised';

export const FAULT_KINDS = [
  'service-sigkill',
  'service-sigterm',
  'bridge-sigkill',
  'bridge-sigterm',
  'kafka-outage',
  'service-pause',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Every kind of fault once, in an order the seed decides (Fisher-Yates). */
export function everyKindOnce(seed: number): FaultKind[] {
  const rnd = seededRandom(seed);
  const out = [...FAULT_KINDS];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface FaultRecord {
  kind: FaultKind;
  target: string;
  /** When the fault began, ms since the run started. */
  atMs: number;
  /** How long the fault itself lasted (a pause, an outage); 0 for a signal. */
  lastedMs: number;
  /**
   * From the fault's end (the signal, the SIGCONT, the broker back) until the stack was healthy and
   * caught up again (undefined: not within the bound).
   */
  recoveredAfterMs?: number;
}

export interface ChaosTargets {
  services: Supervised[];
  bridge: Supervised;
  kafka: OwnKafkaBroker;
  /** Whether every part answers ready now. */
  healthy: () => Promise<boolean>;
  /**
   * A check that the messages devices had been acknowledged by `sinceMs` show in their twins
   * (end to end: broker, bridge, Kafka, processor, API).
   */
  caughtUp: (sinceMs: number) => () => boolean;
}

export interface ChaosOptions {
  seed: number;
  /** Faults in this order, then (with `randomAfter`) faults picked at random. */
  plan: readonly FaultKind[];
  randomAfter: boolean;
  /** Wait before each fault, picked in [min, max] ms, counted from the previous recovery. */
  intervalMs: readonly [number, number];
  /** No fault beyond the plan starts after this time (epoch ms); the planned ones always run. */
  lastFaultBy: number;
  /** A SIGSTOPped instance stays stopped this long (past its 10 s session timeout). */
  pauseMs: number;
  outageMs: number;
  log: (line: string) => void;
}

const STABLE_MS = 5000;
const RECOVERY_BOUND_MS = 240_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Injects faults one at a time until `lastFaultBy`, each after a seeded random wait, and measures
 * how long after each the stack was healthy again: what devices had been acknowledged by the end
 * of the fault shows in their twins, and every part answers ready for STABLE_MS without a break
 * (a zombie still answers ready for a moment after its SIGCONT).
 */
export class ChaosDriver {
  readonly faults: FaultRecord[] = [];
  private cancelled = false;
  private readonly rnd: () => number;
  private readonly began = Date.now();

  constructor(
    private readonly targets: ChaosTargets,
    private readonly options: ChaosOptions,
  ) {
    this.rnd = seededRandom(options.seed);
  }

  cancel(): void {
    this.cancelled = true;
  }

  async run(): Promise<void> {
    const { intervalMs, lastFaultBy } = this.options;
    for (let i = 0; !this.cancelled; i++) {
      const kind = this.kindAt(i);
      if (kind === undefined) return;
      const wait = intervalMs[0] + this.rnd() * (intervalMs[1] - intervalMs[0]);
      if (i >= this.options.plan.length && Date.now() + wait > lastFaultBy) return;
      await sleep(wait);
      if (this.cancelled) return;
      const record = await this.inject(kind);
      this.faults.push(record);
      await this.awaitRecovery(record);
    }
  }

  private kindAt(i: number): FaultKind | undefined {
    const { plan, randomAfter } = this.options;
    if (i < plan.length) return plan[i];
    return randomAfter ? FAULT_KINDS[Math.floor(this.rnd() * FAULT_KINDS.length)] : undefined;
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  private async inject(kind: FaultKind): Promise<FaultRecord> {
    const { services, bridge, kafka } = this.targets;
    const start = Date.now();
    const record = (target: string): FaultRecord => ({
      kind,
      target,
      atMs: start - this.began,
      lastedMs: Date.now() - start,
    });
    switch (kind) {
      case 'service-sigkill':
      case 'service-sigterm': {
        const s = this.pick(services);
        const pid = s.signal(kind === 'service-sigkill' ? 'SIGKILL' : 'SIGTERM');
        this.options.log(`${kind} ${s.name} (pid ${pid ?? 'none: not running'})`);
        return record(s.name);
      }
      case 'bridge-sigkill':
      case 'bridge-sigterm': {
        const pid = bridge.signal(kind === 'bridge-sigkill' ? 'SIGKILL' : 'SIGTERM');
        this.options.log(`${kind} (pid ${pid ?? 'none: not running'})`);
        return record(bridge.name);
      }
      case 'kafka-outage':
        this.options.log(`kafka-outage: stopping the broker for ${this.options.outageMs / 1000} s`);
        await kafka.stop();
        await sleep(this.options.outageMs);
        await kafka.start();
        this.options.log('kafka-outage: broker back');
        return record('kafka');
      case 'service-pause': {
        const s = this.pick(services);
        // The pid now, and the same pid for SIGCONT: a stopped process cannot exit meanwhile.
        const proc = s.current;
        const pid = s.signal('SIGSTOP');
        this.options.log(
          `service-pause ${s.name} (pid ${pid ?? 'none'}) for ${this.options.pauseMs / 1000} s`,
        );
        await sleep(this.options.pauseMs);
        if (pid !== undefined && proc.running) process.kill(pid, 'SIGCONT');
        return record(s.name);
      }
    }
  }

  private async awaitRecovery(record: FaultRecord): Promise<void> {
    const start = this.began + record.atMs + record.lastedMs;
    const caughtUp = this.targets.caughtUp(start);
    let healthySince: number | undefined;
    while (!this.cancelled && Date.now() - start < RECOVERY_BOUND_MS) {
      const ok = caughtUp() && (await this.targets.healthy().catch(() => false));
      if (!ok) healthySince = undefined;
      else {
        healthySince ??= Date.now();
        if (Date.now() - healthySince >= STABLE_MS) {
          record.recoveredAfterMs = healthySince - start;
          this.options.log(
            `${record.kind} ${record.target}: healthy and caught up ${(record.recoveredAfterMs / 1000).toFixed(1)} s after it ended`,
          );
          return;
        }
      }
      await sleep(250);
    }
    this.options.log(
      `${record.kind} ${record.target}: NOT healthy again within ${RECOVERY_BOUND_MS / 1000} s`,
    );
  }
}
