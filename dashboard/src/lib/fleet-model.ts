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
 * An event about a twin beyond the last page read waits until a page reaches it (the page may
 * have been read before the event), so the rows are always a prefix of the list and scrolling on
 * loads exactly what is next.
 */
export class FleetModel {
  private readonly byId = new Map<string, Twin>();
  private sorted: string[] = [];
  nextCursor: string | null = null;
  /** False until the first page arrived. */
  started = false;
  /** The last id of the pages read so far. */
  private frontier: string | null = null;
  /** Events about twins beyond the frontier, the newest per twin. */
  private readonly waiting = new Map<string, Twin>();

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

  /** A page of the list API, in its order. */
  addPage(twins: readonly Twin[], nextCursor: string | null): void {
    for (const twin of twins) this.put(twin);
    const last = twins[twins.length - 1];
    if (last) this.frontier = last.id;
    this.nextCursor = nextCursor;
    this.started = true;
    for (const [id, twin] of this.waiting) {
      if (this.beyond(id)) continue;
      this.waiting.delete(id);
      this.put(twin);
    }
  }

  private beyond(id: string): boolean {
    return !this.complete && (this.frontier === null || id > this.frontier);
  }

  /** A live event: true when it changed what is on screen. */
  upsert(twin: Twin): boolean {
    if (this.beyond(twin.id) && !this.byId.has(twin.id)) {
      const held = this.waiting.get(twin.id);
      if (!held || held.version < twin.version) this.waiting.set(twin.id, twin);
      return false;
    }
    return this.put(twin);
  }

  private put(twin: Twin): boolean {
    const held = this.byId.get(twin.id);
    if (held && held.version >= twin.version) return false;
    this.byId.set(twin.id, twin);
    if (!held) this.sorted.splice(this.insertionPoint(twin.id), 0, twin.id);
    return true;
  }

  remove(id: string): boolean {
    this.waiting.delete(id);
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
