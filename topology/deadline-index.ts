/**
 * When each twin next needs the wall-clock timer (a command TTL, the silence after which an online
 * twin becomes unknown). In memory only: rebuilt by one store scan when a task starts.
 */
export class DeadlineIndex {
  private readonly deadlines = new Map<string, number>();

  set(key: string, deadline: number | null): void {
    if (deadline === null) this.deadlines.delete(key);
    else this.deadlines.set(key, deadline);
  }

  /** Removes and returns the keys due at `nowMs`; the caller sets their next deadline after the tick. */
  due(nowMs: number): string[] {
    const out: string[] = [];
    for (const [key, deadline] of this.deadlines) {
      if (deadline <= nowMs) out.push(key);
    }
    for (const key of out) this.deadlines.delete(key);
    return out;
  }

  get size(): number {
    return this.deadlines.size;
  }
}
