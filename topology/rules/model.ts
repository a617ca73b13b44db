import type { JsonObject, JsonValue } from '../../shared/json';

/**
 * Decisions (seed 003 "stage 4"): per device type, "when <condition on traits or reported values>
 * becomes true, queue <command>", at most once per `cooldownSeconds`. Kept in the compacted
 * `device.rules` topic (keyed by rule id) and evaluated in the fold, after the traits, on every
 * telemetry and state record of a twin of the rule's type. Pure data; see condition.ts for the
 * condition language and apply.ts for the firing.
 */

/** Rule ids, like device ids, are safe as path segments and inside command ids. */
export const RULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export const COMPARISON_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** Where a condition's path may start: the twin's reported values or its traits section. */
export const PATH_ROOTS = ['reported', 'traits'] as const;

/**
 * A condition: a comparison of the value at `path` (dot-separated, from `reported` or `traits`,
 * e.g. `traits.humidity.trend`), or `all` / `any` / `not` of conditions. A path that resolves to
 * nothing makes every comparison but `exists: false` and `ne` false.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { path: string; op: ComparisonOp; value?: JsonValue };

export interface RuleCommand {
  action: string;
  parameters: JsonObject;
  /** 0..9, higher first (the API's range). */
  priority: number;
  /** Seconds the command may wait for delivery; absent: COMMAND_TTL_MS. */
  ttlSeconds?: number;
}

export interface Rule {
  id: string;
  /** The device type whose twins it watches. */
  type: string;
  description?: string;
  when: Condition;
  command: RuleCommand;
  /** After a firing, crossings within this many seconds (record time) do not fire. */
  cooldownSeconds: number;
  enabled: boolean;
}

/** What a twin remembers of one rule: whether the condition held last time, and the last firing. */
export interface RuleMark {
  active: boolean;
  lastFiredAt?: number;
}

/** One firing: the rule, when (record time), and the command it queued. */
export interface RuleFiring {
  ruleId: string;
  at: number;
  commandId: string;
  /** The twin version the firing produced. */
  version: number;
}

/** Kept in the twin state (bounded: `MAX_FIRINGS_KEPT` firings, one mark per rule of its type). */
export interface RuleMemory {
  marks: Record<string, RuleMark>;
  /** Oldest first. */
  firings: RuleFiring[];
}

export const MAX_FIRINGS_KEPT = 20;
export const MAX_CONDITION_NODES = 64;
export const MAX_CONDITION_DEPTH = 8;
export const MAX_COOLDOWN_SECONDS = 30 * 24 * 3600;

/** The command id of a firing: unique per twin (one firing per version), valid as a path segment. */
export function firingCommandId(ruleId: string, version: number): string {
  return `rule.${ruleId}.${version}`;
}

/** The command origin of a rule's commands (`origin` on the command, docs/contract.md). */
export function ruleOrigin(ruleId: string): string {
  return `rule:${ruleId}`;
}
