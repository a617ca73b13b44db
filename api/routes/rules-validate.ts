import { isJsonObject, type JsonObject, type JsonValue } from '../../shared/json';
import { isForbiddenKey } from '../../shared/safe-json';
import {
  COMPARISON_OPS,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_NODES,
  MAX_COOLDOWN_SECONDS,
  PATH_ROOTS,
  RULE_ID_PATTERN,
  type ComparisonOp,
  type Condition,
  type Rule,
  type RuleCommand,
} from '../../topology/rules';
import { ACTION_PATTERN, MAX_PRIORITY, MAX_TTL_SECONDS, parsePattern, parseText } from '../validate';

export interface FieldError {
  field: string;
  message: string;
}

export type RuleValidation = { ok: true; rule: Rule } | { ok: false; errors: FieldError[] };

const RULE_FIELDS = ['id', 'type', 'description', 'when', 'command', 'cooldownSeconds', 'enabled'];
const COMMAND_FIELDS = ['action', 'parameters', 'priority', 'ttlSeconds'];
const MAX_PATH_LENGTH = 256;

/**
 * A rule as `PUT /rules/{id}` takes it (and as `device.rules` keeps it), checked whole: every
 * problem is reported with its field (`when.all[1].op`), none is evaluated. `id` must equal
 * `expectedId` when given (the path's).
 */
export function validateRule(input: unknown, expectedId?: string): RuleValidation {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string): undefined => void errors.push({ field, message });
  if (!isJsonObject(input)) return { ok: false, errors: [{ field: '', message: 'must be a JSON object' }] };
  for (const k of Object.keys(input)) if (!RULE_FIELDS.includes(k)) fail(k, 'is not a rule field');
  const id = text(input.id, 'id', fail, RULE_ID_PATTERN);
  if (id !== undefined && expectedId !== undefined && id !== expectedId)
    fail('id', `must equal the id of the path (${expectedId})`);
  const type = text(input.type, 'type', fail);
  const description =
    input.description === undefined ? undefined : text(input.description, 'description', fail);
  const nodes = { count: 0 };
  const when = condition(input.when, 'when', 1, nodes, fail);
  const command = ruleCommand(input.command, fail);
  const cooldownSeconds = integer(
    input.cooldownSeconds ?? 0,
    'cooldownSeconds',
    0,
    MAX_COOLDOWN_SECONDS,
    fail,
  );
  const enabled = input.enabled ?? true;
  if (typeof enabled !== 'boolean') fail('enabled', 'must be a boolean');
  if (errors.length > 0 || !id || !type || !when || !command || cooldownSeconds === undefined)
    return { ok: false, errors };
  const rule: Rule = { id, type, when, command, cooldownSeconds, enabled: enabled === true };
  if (description !== undefined) rule.description = description;
  return { ok: true, rule };
}

type Fail = (field: string, message: string) => undefined;

function text(value: unknown, field: string, fail: Fail, pattern?: RegExp): string | undefined {
  try {
    const checked = parseText(value, field);
    return pattern ? parsePattern(checked, field, pattern) : checked;
  } catch (err) {
    return fail(field, err instanceof Error ? err.message : String(err));
  }
}

function integer(value: unknown, field: string, min: number, max: number, fail: Fail): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  return fail(field, `must be an integer between ${min} and ${max}`);
}

function ruleCommand(value: unknown, fail: Fail): RuleCommand | undefined {
  if (!isJsonObject(value)) return fail('command', 'must be an object with an action');
  for (const k of Object.keys(value))
    if (!COMMAND_FIELDS.includes(k)) fail(`command.${k}`, 'is not a command field');
  const action = text(value.action, 'command.action', fail, ACTION_PATTERN);
  const parameters = value.parameters ?? {};
  if (!isJsonObject(parameters)) fail('command.parameters', 'must be an object');
  const priority = integer(value.priority ?? 0, 'command.priority', 0, MAX_PRIORITY, fail);
  const ttl =
    value.ttlSeconds === undefined
      ? undefined
      : integer(value.ttlSeconds, 'command.ttlSeconds', 1, MAX_TTL_SECONDS, fail);
  if (action === undefined || !isJsonObject(parameters) || priority === undefined) return undefined;
  if (value.ttlSeconds !== undefined && ttl === undefined) return undefined;
  return { action, parameters, priority, ...(ttl === undefined ? {} : { ttlSeconds: ttl }) };
}

function condition(
  value: unknown,
  field: string,
  depth: number,
  nodes: { count: number },
  fail: Fail,
): Condition | undefined {
  if (++nodes.count > MAX_CONDITION_NODES)
    return fail(field, `the condition has more than ${MAX_CONDITION_NODES} parts`);
  if (depth > MAX_CONDITION_DEPTH) return fail(field, `nests deeper than ${MAX_CONDITION_DEPTH}`);
  if (!isJsonObject(value))
    return fail(field, 'must be an object: {all: [...]}, {any: [...]}, {not: {...}} or {path, op, value}');
  const keys = Object.keys(value);
  for (const group of ['all', 'any'] as const) {
    if (!keys.includes(group)) continue;
    const list = value[group];
    if (keys.length !== 1 || !Array.isArray(list) || list.length === 0)
      return fail(field, `${group} must be the only key and a non-empty array`);
    const parts = list.map((c, i) => condition(c, `${field}.${group}[${i}]`, depth + 1, nodes, fail));
    return parts.every((p) => p !== undefined) ? ({ [group]: parts } as Condition) : undefined;
  }
  if (keys.includes('not')) {
    if (keys.length !== 1) return fail(field, 'not must be the only key');
    const inner = condition(value.not, `${field}.not`, depth + 1, nodes, fail);
    return inner && { not: inner };
  }
  return comparison(value, field, fail);
}

function comparison(value: JsonObject, field: string, fail: Fail): Condition | undefined {
  for (const k of Object.keys(value))
    if (!['path', 'op', 'value'].includes(k)) fail(`${field}.${k}`, 'is not a condition field');
  const path = pathOf(value.path, `${field}.path`, fail);
  const op = value.op;
  if (typeof op !== 'string' || !(COMPARISON_OPS as readonly string[]).includes(op))
    return fail(`${field}.op`, `must be one of ${COMPARISON_OPS.join(', ')}`);
  const operand = operandError(op as ComparisonOp, value.value);
  if (operand !== undefined) return fail(`${field}.value`, operand);
  if (path === undefined) return undefined;
  return { path, op: op as ComparisonOp, ...(value.value === undefined ? {} : { value: value.value }) };
}

function pathOf(value: unknown, field: string, fail: Fail): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATH_LENGTH)
    return fail(field, `must be a dot-separated path of at most ${MAX_PATH_LENGTH} characters`);
  const steps = value.split('.');
  if (!(PATH_ROOTS as readonly string[]).includes(steps[0] ?? '') || steps.length < 2)
    return fail(field, `must start with ${PATH_ROOTS.map((r) => `${r}.`).join(' or ')} and name a field`);
  if (steps.some((s) => s.length === 0 || isForbiddenKey(s)))
    return fail(field, 'has an empty or forbidden step');
  return value;
}

/** Why `value` does not suit `op`, or undefined. */
function operandError(op: ComparisonOp, value: JsonValue | undefined): string | undefined {
  const scalar = (v: JsonValue | undefined): boolean =>
    v === null || ['string', 'number', 'boolean'].includes(typeof v);
  switch (op) {
    case 'exists':
      return value === undefined || typeof value === 'boolean' ? undefined : 'must be a boolean or absent';
    case 'eq':
    case 'ne':
      return scalar(value) ? undefined : 'must be a string, number, boolean or null';
    case 'in':
      return Array.isArray(value) && value.length > 0 && value.length <= 64 && value.every(scalar)
        ? undefined
        : 'must be a non-empty array of at most 64 scalars';
    default:
      return typeof value === 'number' || typeof value === 'string'
        ? undefined
        : 'must be a number (or a string)';
  }
}
