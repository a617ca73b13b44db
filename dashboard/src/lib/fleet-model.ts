import type { Twin } from './twin';

export interface FleetFilter {
  type: string;
  status: string;
  lifecycle: string;
  /** `key=value`: the list API's `attr.KEY=value`. */
  attribute: string;
}

export const NO_FILTER: FleetFilter = { type: '', status: '', lifecycle: '', attribute: '' };

/** The list API's (and the fleet stream's) query parameters for a filter. */
export function filterQuery(filter: FleetFilter): URLSearchParams {
  const q = new URLSearchParams();
  if (filter.type) q.set('type', filter.type);
  if (filter.status) q.set('status', filter.status);
  if (filter.lifecycle) q.set('lifecycle', filter.lifecycle);
  const eq = filter.attribute.indexOf('=');
  if (eq > 0) q.set(`attr.${filter.attribute.slice(0, eq).trim()}`, filter.attribute.slice(eq + 1).trim());
  return q;
}

/**
 * The twins on screen, sorted by id like the list API's pages. Pages and live events both go
 * through `upsert`, which keeps the higher version, so a page read before an event never undoes it.
 */
export class FleetModel {
  private readonly byId = new Map<string, Twin>();
  private sorted: string[] = [];
  nextCursor: string | null = null;
  /** Pages read so far; false until the first page arrived. */
  started = false;

  get size(): number {
    return this.sorted.length;
  }

  get complete(): boolean {
    return this.started && this.nextCursor === null;
  }

  at(index: number): Twin | undefined {
    const id = this.sorted[index];
    return id === undefined ? undefined : this.byId.get(id);
  }

  get(id: string): Twin | undefined {
    return this.byId.get(id);
  }

  ids(): readonly string[] {
    return this.sorted;
  }

  /** True when the twin is new or newer than the one held. */
  upsert(twin: Twin): boolean {
    const held = this.byId.get(twin.id);
    if (held && held.version >= twin.version) return false;
    this.byId.set(twin.id, twin);
    if (!held) this.sorted.splice(this.insertionPoint(twin.id), 0, twin.id);
    return true;
  }

  remove(id: string): boolean {
    if (!this.byId.delete(id)) return false;
    this.sorted.splice(this.insertionPoint(id), 1);
    return true;
  }

  private insertionPoint(id: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
