import { TwinfoldError } from '../../shared/errors';
import type { Rule } from '../../topology/rules';
import { ref } from '../openapi/schemas';
import type { RouteSpec } from '../route';
import { parseLimit } from '../validate';
import { API_PREFIX } from './common';
import { requireFleet, type FleetQueries } from './health-fanout';
import { validateRule } from './rules-validate';
import { invalidFields, requireTables, writeAndWait, type GlobalTables, type Stamped } from './types-tables';

export type RuleView = Rule & { updatedAt: string };

/** A rule, or 400 VALIDATION_ERROR naming every offending field (`when.all[1].op: ...`). */
export function checkRule(input: unknown, expectedId?: string): Rule {
  const result = validateRule(input, expectedId);
  if (result.ok) return result.rule;
  throw invalidFields('rule', result.errors);
}

const viewOf = (entry: Stamped<Rule>): RuleView => ({ ...entry.value, updatedAt: entry.updatedAt });

function requireRule(tables: GlobalTables, id: string): Stamped<Rule> {
  const entry = tables.rules.get(id);
  if (!entry) throw new TwinfoldError('RULE_NOT_FOUND', `rule ${id} not found`);
  return entry;
}

/** Decisions (seed 003 stage 4): rules per device type, kept in `device.rules`, fired in the fold. */
export function ruleRoutes(
  tables: GlobalTables | undefined,
  fleet: FleetQueries | undefined,
  now: () => Date,
): RouteSpec[] {
  const store = async (rule: Rule): Promise<RuleView> => {
    const t = requireTables(tables);
    await writeAndWait(t, t.rules, rule.id, { value: rule, updatedAt: now().toISOString() });
    return viewOf(requireRule(t, rule.id));
  };
  return [
    {
      method: 'get',
      path: `${API_PREFIX}/rules`,
      operationId: 'listRules',
      tag: 'rules',
      summary: 'The rules, by id',
      access: 'read',
      query: [
        { name: 'type', description: 'Only the rules of this device type', schema: { type: 'string' } },
      ],
      response: {
        status: 200,
        description: 'The rules',
        schema: ref('RuleList'),
      },
      async handle({ query }) {
        const rules = requireTables(tables)
          .rules.entries()
          .map(([, e]) => viewOf(e))
          .filter((r) => query.type === undefined || r.type === query.type)
          .sort((a, b) => (a.id < b.id ? -1 : 1));
        return { data: { count: rules.length, rules } };
      },
    },
    {
      method: 'post',
      path: `${API_PREFIX}/rules`,
      operationId: 'createRule',
      tag: 'rules',
      summary: 'Create a rule',
      access: 'admin',
      body: { description: 'The rule', schema: ref('Rule') },
      response: {
        status: 201,
        description: 'The rule as stored',
        schema: ref('RuleView'),
        headers: ['Location'],
      },
      errors: ['ALREADY_EXISTS', 'TIMEOUT'],
      async handle({ body }) {
        const rule = checkRule(body);
        if (requireTables(tables).rules.get(rule.id))
          throw new TwinfoldError('ALREADY_EXISTS', `rule ${rule.id} already exists`);
        const data = await store(rule);
        return { status: 201, data, headers: { Location: `${API_PREFIX}/rules/${rule.id}` } };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/rules/:rule`,
      operationId: 'getRule',
      tag: 'rules',
      summary: 'One rule',
      access: 'read',
      response: { status: 200, description: 'The rule', schema: ref('RuleView') },
      errors: ['RULE_NOT_FOUND'],
      async handle({ params }) {
        return { data: viewOf(requireRule(requireTables(tables), params.rule!)) };
      },
    },
    {
      method: 'put',
      path: `${API_PREFIX}/rules/:rule`,
      operationId: 'putRule',
      tag: 'rules',
      summary: 'Create or replace a rule',
      access: 'admin',
      body: {
        description: 'The rule; `id` may be left out, else it must equal the path',
        schema: ref('Rule'),
      },
      response: { status: 200, description: 'The rule as stored', schema: ref('RuleView') },
      errors: ['TIMEOUT'],
      async handle({ params, body }) {
        return { data: await store(checkRule({ ...body, id: body.id ?? params.rule! }, params.rule!)) };
      },
    },
    {
      method: 'delete',
      path: `${API_PREFIX}/rules/:rule`,
      operationId: 'deleteRule',
      tag: 'rules',
      summary: 'Delete a rule (its firings stay on the twins)',
      access: 'admin',
      response: {
        status: 200,
        description: 'Deleted',
        schema: { type: 'object', properties: { id: { type: 'string' }, deleted: { const: true } } },
      },
      errors: ['RULE_NOT_FOUND', 'TIMEOUT'],
      async handle({ params }) {
        const t = requireTables(tables);
        requireRule(t, params.rule!);
        await writeAndWait(t, t.rules, params.rule!, null);
        return { data: { id: params.rule!, deleted: true } };
      },
    },
    {
      method: 'get',
      path: `${API_PREFIX}/rules/:rule/firings`,
      operationId: 'listRuleFirings',
      tag: 'rules',
      summary: "A rule's recent firings over the fleet, each with its command's status now",
      description:
        'Each twin keeps its last 20 firings. `command` is null once the twin no longer holds the command (its history keeps 50).',
      access: 'read',
      query: [
        {
          name: 'limit',
          description: 'Newest first, at most this many (1..1000)',
          schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
        },
      ],
      response: { status: 200, description: 'The firings, newest first', schema: ref('FiringList') },
      async handle({ params, query }) {
        const queries = requireFleet(fleet);
        return { data: await queries.ruleFirings(params.rule!, parseLimit(query.limit)) };
      },
    },
  ];
}
