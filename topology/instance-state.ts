import { EventEmitter } from 'node:events';

/**
 * The lifecycle of a processor instance, as data. /readyz answers ready only in `running`.
 *
 *   created ──> rebalancing ──> restoring ──> running
 *                   ^  ^            │            │
 *                   │  └────────────┘            │
 *                   └────────────────────────────┘
 *   any state ──> error ──> stopped;  any state ──> stopped
 */
export type InstanceState = 'created' | 'rebalancing' | 'restoring' | 'running' | 'error' | 'stopped';

const ALLOWED: Record<InstanceState, readonly InstanceState[]> = {
  created: ['rebalancing', 'error', 'stopped'],
  rebalancing: ['restoring', 'running', 'error', 'stopped'],
  restoring: ['running', 'rebalancing', 'error', 'stopped'],
  running: ['rebalancing', 'restoring', 'error', 'stopped'],
  error: ['stopped'],
  stopped: [],
};

export class InstanceStateMachine extends EventEmitter<{ change: [InstanceState, InstanceState] }> {
  private current: InstanceState = 'created';

  get state(): InstanceState {
    return this.current;
  }

  canMoveTo(next: InstanceState): boolean {
    return next === this.current || ALLOWED[this.current].includes(next);
  }

  /** Moves to `next`; throws on a transition the diagram does not allow (a programming error). */
  moveTo(next: InstanceState): void {
    if (next === this.current) return;
    if (!ALLOWED[this.current].includes(next)) {
      throw new Error(`illegal instance state transition ${this.current} -> ${next}`);
    }
    const previous = this.current;
    this.current = next;
    this.emit('change', next, previous);
  }
}
