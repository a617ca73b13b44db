import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../../shared/errors';

/** The contract's error-code table, as `code -> HTTP status`. */
export function documentedCodes(markdown: string): Map<string, number> {
  const section = markdown.slice(markdown.indexOf('## Error codes'));
  const rows = section.split('\n').map((l) => /^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/.exec(l));
  return new Map(rows.flatMap((m) => (m ? [[m[1]!, Number(m[2])] as const] : [])));
}

describe('the error codes of docs/contract.md', () => {
  const contract = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'contract.md'), 'utf8');

  it('are exactly the codes the code raises, with their HTTP statuses', () => {
    expect(Object.fromEntries(documentedCodes(contract))).toEqual(ERROR_CODES);
  });

  it('notices a code missing from the table and a wrong status', () => {
    const missing = contract.replace(/^\| `TIMEOUT`.*$/m, '');
    expect(documentedCodes(missing).has('TIMEOUT')).toBe(false);
    const wrong = contract.replace(/^\| `NOT_READY`(\s*)\| 503/m, '| `NOT_READY`$1| 500');
    expect(documentedCodes(wrong).get('NOT_READY')).toBe(500);
  });
});
