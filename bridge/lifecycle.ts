/**
 * The bridge's lifecycle as data:
 *
 *   created ──start()──► starting ──► running ──stop()──► stopping ──► stopped
 *                           │                                ▲
 *                           └──── start failed (cleans up) ──┘
 */
export type BridgeState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

const ALLOWED: Record<BridgeState, readonly BridgeState[]> = {
  created: ['starting', 'stopped'],
  starting: ['running', 'stopping'],
  running: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
};

/** Throws when `to` is not reachable from `from` in one step (a programming error). */
export function assertTransition(from: BridgeState, to: BridgeState): void {
  if (!ALLOWED[from].includes(to)) throw new Error(`bridge cannot go from ${from} to ${to}`);
}
