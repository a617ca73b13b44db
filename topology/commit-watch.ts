import type { CommitNotice, CommittedChange } from './commit-notice';

/** A pending wait; `cancel` settles it early (with the timeout's value) and frees its entry. */
export interface Wait<T> {
  promise: Promise<T>;
  cancel(): void;
}

/**
 * Lets API calls wait for the processor of this process: for the fold of one write (by its request
 * id) or for the next committed change of one twin. Fed with every CommitNotice (`handle`); holds
 * nothing but the waits in progress, each bounded by its own timer.
 *
 * A wait must be registered before the thing it waits for can happen (before producing the write,
 * before reading the store), or a commit in between goes unseen.
 */
export class CommitWatch {
  private readonly byRequest = new Map<string, (change: CommittedChange) => void>();
  private readonly byDevice = new Map<string, Set<() => void>>();

  /** Dispatches one commit to the waits it settles. Never throws. */
  handle(notice: CommitNotice): void {
    for (const change of notice.changes) {
      if (change.requestId !== undefined) this.byRequest.get(change.requestId)?.(change);
      const waiters = this.byDevice.get(change.deviceId);
      if (waiters) for (const wake of [...waiters]) wake();
    }
  }

  /** The fold of the write carrying `requestId`, or undefined after `timeoutMs`. */
  forRequest(requestId: string, timeoutMs: number): Wait<CommittedChange | undefined> {
    let settle!: (change: CommittedChange | undefined) => void;
    const promise = new Promise<CommittedChange | undefined>((resolve) => {
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      settle = (change) => {
        clearTimeout(timer);
        if (this.byRequest.get(requestId) === settle) this.byRequest.delete(requestId);
        resolve(change);
      };
    });
    this.byRequest.set(requestId, settle);
    return { promise, cancel: () => settle(undefined) };
  }

  /** True at the next committed change of `deviceId`, false after `timeoutMs`. */
  nextChange(deviceId: string, timeoutMs: number): Wait<boolean> {
    let waiters = this.byDevice.get(deviceId);
    if (!waiters) this.byDevice.set(deviceId, (waiters = new Set()));
    const set = waiters;
    let settle!: (changed: boolean) => void;
    const promise = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), timeoutMs);
      const wake = (): void => settle(true);
      settle = (changed) => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.byDevice.get(deviceId) === set) this.byDevice.delete(deviceId);
        resolve(changed);
      };
      set.add(wake);
    });
    return { promise, cancel: () => settle(false) };
  }

  /** Waits in progress (for tests and leak checks). */
  get pending(): number {
    let n = this.byRequest.size;
    for (const set of this.byDevice.values()) n += set.size;
    return n;
  }
}
