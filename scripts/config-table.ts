/** Prints the README's configuration table from the settings schemas (run after build). */
import { THINGSBOARD_SCHEMA } from '../adapters/thingsboard/settings';
import { HONO_CONFIG_SCHEMA } from '../adapters/hono/settings';
import { BRIDGE_CONFIG_SCHEMA } from '../bridge/bridge-config';
import { COMMON_SCHEMA, SERVICE_SCHEMA } from '../shared/config';
import type { Setting } from '../shared/env-parsers';

/** Each schema and the components that read (and validate) it. */
const SCHEMAS: readonly { readBy: string; schema: Record<string, Setting<unknown>> }[] = [
  { readBy: 'all', schema: COMMON_SCHEMA },
  { readBy: 'service', schema: SERVICE_SCHEMA },
  { readBy: 'bridge', schema: BRIDGE_CONFIG_SCHEMA },
  { readBy: 'thingsboard', schema: THINGSBOARD_SCHEMA },
  { readBy: 'hono adapter', schema: HONO_CONFIG_SCHEMA },
];

export function configTable(): string {
  const rows = SCHEMAS.flatMap(({ readBy, schema }) =>
    Object.values(schema).map(
      (s) =>
        `| \`${s.env}\` | ${readBy} | ${s.default === '' || s.default === undefined ? '' : `\`${s.default}\``} | ${s.doc} |`,
    ),
  );
  return ['| variable | read by | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

if (require.main === module) process.stdout.write(`${configTable()}\n`);
