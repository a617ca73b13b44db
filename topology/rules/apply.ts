import { traitsView } from '../traits';
import { enqueueCommand } from '../twin/commands';
import { emit, update, type Draft } from '../twin/draft';
import { holds, type ConditionView } from './condition';
import {
  firingCommandId,
  MAX_FIRINGS_KEPT,
  ruleOrigin,
  type Rule,
  type RuleFiring,
  type RuleMark,
  type RuleMemory,
} from './model';

/** The rules of the twin's type (FoldConfig.rulesFor) against its reported values and traits now. */
export function evaluateRules(draft: Draft): void {
  const rules = draft.config.rulesFor?.(draft.state.type) ?? [];
  if (rules.length === 0 && draft.state.rules === undefined) return;
  const { reported, traits } = draft.state;
  // The traits as the twin document shows them, judged at the record's time.
  applyRules(
    draft,
    rules,
    traits === undefined ? { reported } : { reported, traits: traitsView(traits, draft.nowMs) },
  );
}

/**
 * Evaluates the rules of the twin's type against `view` (its reported values and traits after
 * this record) and fires each one whose condition has just become true: edge-triggered, so a
 * condition that stays true fires once; a crossing within `cooldownSeconds` of the last firing
 * (record time) is remembered as true but does not fire. A firing queues the rule's command
 * through the twin's command queue (origin `rule:<id>`), emits `rule.fired` and is recorded in
 * the twin (the last MAX_FIRINGS_KEPT). Marks of rules no longer given are dropped. Pure: the
 * same records and rules give the same firings, so exactly_once gives each crossing one firing.
 */
export function applyRules(draft: Draft, rules: readonly Rule[], view: ConditionView): void {
  const before = draft.state.rules ?? { marks: {}, firings: [] };
  const marks: Record<string, RuleMark> = {};
  const fired: RuleFiring[] = [];
  for (const rule of rules) {
    if (!rule.enabled || rule.type !== draft.state.type) continue;
    const previous = Object.hasOwn(before.marks, rule.id) ? before.marks[rule.id] : undefined;
    const active = holds(rule.when, view);
    const mark: RuleMark = { ...previous, active };
    if (active && previous?.active !== true && !coolingDown(rule, previous, draft.nowMs)) {
      fired.push(fire(draft, rule));
      mark.lastFiredAt = draft.nowMs;
    }
    marks[rule.id] = mark;
  }
  const memory: RuleMemory = {
    marks,
    firings: [...before.firings, ...fired].slice(-MAX_FIRINGS_KEPT),
  };
  if (Object.keys(marks).length > 0 || memory.firings.length > 0) update(draft, { rules: memory });
  else if (draft.state.rules !== undefined) {
    const { rules: _dropped, ...rest } = draft.state;
    draft.state = rest;
  }
}

function coolingDown(rule: Rule, mark: RuleMark | undefined, nowMs: number): boolean {
  return mark?.lastFiredAt !== undefined && nowMs - mark.lastFiredAt < rule.cooldownSeconds * 1000;
}

function fire(draft: Draft, rule: Rule): RuleFiring {
  const commandId = firingCommandId(rule.id, draft.version);
  const { action, parameters, priority, ttlSeconds } = rule.command;
  enqueueCommand(draft, {
    kind: 'command',
    deviceId: draft.state.id,
    timestampMs: draft.nowMs,
    commandId,
    action,
    parameters,
    priority,
    origin: ruleOrigin(rule.id),
    ...(ttlSeconds === undefined ? {} : { ttlMs: ttlSeconds * 1000 }),
  });
  emit(draft, 'rule.fired', { ruleId: rule.id, commandId, action });
  return { ruleId: rule.id, at: draft.nowMs, commandId, version: draft.version };
}
