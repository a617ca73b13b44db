import { getOwn, isPlainObject } from '../../shared/safe-json';
import type { JsonValue } from '../../shared/json';
import type { ComparisonOp, Condition } from './model';

/** What a condition reads: `{ reported, traits }` of one twin at one moment. */
export type ConditionView = Readonly<Record<string, unknown>>;

/** Whether `condition` holds for `view`. Pure; no code is ever evaluated, only compared. */
export function holds(condition: Condition, view: ConditionView): boolean {
  if ('all' in condition) return condition.all.every((c) => holds(c, view));
  if ('any' in condition) return condition.any.some((c) => holds(c, view));
  if ('not' in condition) return !holds(condition.not, view);
  return compare(condition.op, resolvePath(view, condition.path), condition.value);
}

/**
 * The value at a dot-separated path, own properties only (a number steps into an array:
 * `forecast.thresholds.0.inMinutes`); undefined when any step is missing.
 */
export function resolvePath(view: ConditionView, path: string): unknown {
  let at: unknown = view;
  for (const step of path.split('.')) {
    if (Array.isArray(at) && /^\d{1,4}$/.test(step)) at = at[Number(step)];
    else if (isPlainObject(at)) at = getOwn(at, step);
    else return undefined;
  }
  return at;
}

function compare(op: ComparisonOp, actual: unknown, expected: JsonValue | undefined): boolean {
  switch (op) {
    case 'exists':
      return (actual !== undefined && actual !== null) === (expected ?? true);
    case 'eq':
      return actual !== undefined && sameScalar(actual, expected);
    case 'ne':
      return !sameScalar(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => sameScalar(actual, e));
    case 'gt':
      return ordered(actual, expected, (a, b) => a > b);
    case 'gte':
      return ordered(actual, expected, (a, b) => a >= b);
    case 'lt':
      return ordered(actual, expected, (a, b) => a < b);
    case 'lte':
      return ordered(actual, expected, (a, b) => a <= b);
  }
}

function sameScalar(a: unknown, b: unknown): boolean {
  return (a === null || typeof a !== 'object') && a === b;
}

/** Numbers compare with numbers, strings with strings; anything else is false. */
function ordered(a: unknown, b: unknown, test: (x: number | string, y: number | string) => boolean): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Number.isFinite(a) && test(a, b);
  if (typeof a === 'string' && typeof b === 'string') return test(a, b);
  return false;
}
