export * from './model';
export { holds, resolvePath, type ConditionView } from './condition';
export { applyRules } from './apply';
export { RuleBook } from './rule-book';
