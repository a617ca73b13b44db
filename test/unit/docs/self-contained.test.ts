import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Nothing in the repository may point outside it: not to the project's shared material (the old
 * contract, style and reference notes, the seed documents) nor to a path on a development machine.
 * The contract is docs/contract.md; where a design comes from a seed, docs/ says so in words.
 */
const OUTSIDE_REFERENCES: readonly { what: string; pattern: RegExp }[] = [
  { what: 'a path to the shared material', pattern: /\.\.\/shared\/(?:CONTRACT|STYLE|REFERENCE|seeds)\b/ },
  { what: 'a shared-material file name', pattern: /\b(?:CONTRACT|STYLE|REFERENCE)\.md\b/ },
  { what: 'a seed file name', pattern: /\b\d{3}_[0-9a-f]{16}\.txt\b/ },
  { what: 'the seeds folder', pattern: /(?:^|[\s`'"(/])seeds\// },
  { what: 'an absolute development-machine path', pattern: /(?:^|[\s`'"(=:])\/(?:work|home|Users)\// },
];

interface OutsideReference {
  file: string;
  line: number;
  what: string;
  text: string;
}

/** Every line of `text` that points outside the repository. */
export function findOutsideReferences(file: string, text: string): OutsideReference[] {
  const found: OutsideReference[] = [];
  text.split('\n').forEach((lineText, index) => {
    const hit = OUTSIDE_REFERENCES.find(({ pattern }) => pattern.test(lineText));
    if (hit) found.push({ file, line: index + 1, what: hit.what, text: lineText.trim() });
  });
  return found;
}

const ROOT = join(__dirname, '..', '..', '..');
const SELF = relative(ROOT, __filename);

function trackedTextFiles(): { file: string; text: string }[] {
  const names = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((name) => name !== '' && name !== SELF);
  const files: { file: string; text: string }[] = [];
  for (const file of names) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(ROOT, file));
    } catch {
      continue; // deleted in the work tree, not yet in the index
    }
    if (!bytes.includes(0)) files.push({ file, text: bytes.toString('utf8') });
  }
  return files;
}

describe('the repository is self-contained', () => {
  it.each([
    ['a README link', 'see [the contract](../shared/CONTRACT.md)'],
    ['a comment citing the old contract', '/** The twin document of CONTRACT.md. */'],
    ['a style note', '// as STYLE.md says'],
    ['a seed file', 'from 001_f52d35f4746ad6b0.txt section 5.2'],
    ['the seeds folder', 'read ../shared/seeds/ first'],
    ['an absolute path', 'Topic names: `/work/shared/notes.md`'],
    ['a home directory', 'built in /home/dev/twinfold'],
  ])('finds %s', (_name, line) => {
    expect(findOutsideReferences('planted.ts', `ok\n${line}\n`)).toEqual([
      expect.objectContaining({ file: 'planted.ts', line: 2 }),
    ]);
  });

  it.each([
    ["the repository's own shared/ imports", "import { TwinfoldError } from '../shared/errors';"],
    ['the contract inside the repository', 'see [the contract](docs/contract.md)'],
    ['a seed named in words', "seed 001's telemetry message"],
    ['a URL path', 'https://example.com/api/v1/work/items'],
  ])('accepts %s', (_name, line) => {
    expect(findOutsideReferences('fine.ts', line)).toEqual([]);
  });

  it('has no tracked file that points outside the repository', () => {
    const files = trackedTextFiles();
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap(({ file, text }) => findOutsideReferences(file, text));
    expect(found).toEqual([]);
  });
});
