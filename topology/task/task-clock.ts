import type { InputProgress } from './input-progress';

/**
 * The time a task's timers run at. Caught up, that is the wall clock. While the task is catching
 * up a backlog (some input partition's end lies beyond the next offset to process), it is stream
 * time instead: the timestamp of the last record folded from the lagging input that is furthest
 * behind. A record timestamp is the broker's append time, so nothing still waiting in a lagging
 * input is older than that: a device that spoke every few minutes a day ago is not marked unknown
 * because the processor was down, while one that really fell silent inside the backlog is, once
 * the backlog has been folded past its deadline. A lagging input with nothing folded yet holds the
 * timers (its next record's time is unknown). The clock never runs backwards.
 */
export class TaskClock {
  private last = -Infinity;

  constructor(
    private readonly wallClock: () => number,
    private readonly inputs: InputProgress,
  ) {}

  /** The timers' time now; undefined while a lagging input has no folded record to tell its time. */
  now(): number | undefined {
    let time = this.wallClock();
    for (const t of this.inputs.laggingTimes()) {
      if (t === undefined) return undefined;
      time = Math.min(time, t);
    }
    this.last = Math.max(this.last, time);
    return this.last;
  }
}
