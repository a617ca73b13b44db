import type { Rule } from './model';

/**
 * The rules by device type, kept from the `device.rules` global table's changes (rule id → rule).
 * `forType` is what the fold asks on every record, so it is a map lookup; rules are ordered by id
 * so every instance evaluates them in the same order.
 */
export class RuleBook {
  private readonly byId = new Map<string, Rule>();
  private byType = new Map<string, readonly Rule[]>();

  /** A rule written (`rule`) or deleted (undefined) under `id`. */
  set(id: string, rule: Rule | undefined): void {
    if (rule === undefined) this.byId.delete(id);
    else this.byId.set(id, rule);
    const byType = new Map<string, Rule[]>();
    for (const r of [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const list = byType.get(r.type) ?? [];
      list.push(r);
      byType.set(r.type, list);
    }
    this.byType = byType;
  }

  forType(type: string): readonly Rule[] {
    return this.byType.get(type) ?? [];
  }
}
