import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTable } from '../../../scripts/config-table';

describe('README configuration table', () => {
  it('is the one CONFIG_SCHEMA generates (rewrite it with npm run build && bash scripts/update-readme-config.sh)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain(configTable());
  });
});
