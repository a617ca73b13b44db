/** Prints the README's configuration table from CONFIG_SCHEMA: `npx ts-node`-free, run after build. */
import { CONFIG_SCHEMA } from '../shared/config';

export function configTable(): string {
  const rows = Object.values(CONFIG_SCHEMA).map(
    (s) =>
      `| \`${s.env}\` | ${s.default === '' || s.default === undefined ? '' : `\`${s.default}\``} | ${s.doc} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (require.main === module) process.stdout.write(`${configTable()}\n`);
