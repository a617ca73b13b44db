import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A target from the issue: the figure should be at least (>=) or at most (<=) `value`. */
export interface Target {
  op: '>=' | '<=';
  value: number;
}

/** One number a benchmark produced (null when it could not be measured; `note` says why). */
export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  target?: Target;
  note?: string;
  /** Not measured yet by design (e.g. needs a later feature); quick mode does not require it. */
  optional?: boolean;
}

/** What one benchmark reports: its setup as printed, its figures, and how long it took. */
export interface BenchResult {
  bench: string;
  setup: Record<string, string | number>;
  figures: Figure[];
  seconds: number;
  error?: string;
}

/** Whether a figure meets its target; undefined without a target or a value. */
export function meets(figure: Figure): boolean | undefined {
  if (!figure.target || figure.value === null) return undefined;
  return figure.target.op === '>='
    ? figure.value >= figure.target.value
    : figure.value <= figure.target.value;
}

/** Prints a benchmark's setup before it runs, one `key: value` per line. */
export function printSetup(bench: string, setup: Record<string, string | number>): void {
  const width = Math.max(...Object.keys(setup).map((k) => k.length));
  process.stdout.write(`\n== ${bench}\n`);
  for (const [k, v] of Object.entries(setup)) process.stdout.write(`   ${k.padEnd(width)}  ${v}\n`);
}

function cell(figure: Figure): string[] {
  const value = figure.value === null ? 'n/a' : figure.value.toLocaleString('en-US');
  const target = figure.target ? `${figure.target.op} ${figure.target.value.toLocaleString('en-US')}` : '';
  const ok = meets(figure);
  return [
    figure.name,
    `${value} ${figure.unit}`,
    target,
    ok === undefined ? '' : ok ? 'yes' : 'NO',
    figure.note ?? '',
  ];
}

/** The one table: every figure of every benchmark beside its target. */
export function formatTable(results: BenchResult[]): string {
  const rows: string[][] = [['benchmark', 'figure', 'value', 'target', 'met', 'note']];
  for (const r of results) {
    if (r.error) rows.push([r.bench, 'FAILED', '', '', '', r.error.split('\n')[0]!.slice(0, 100)]);
    for (const f of r.figures) rows.push([r.bench, ...cell(f)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** Writes the run as JSON to `dir`; returns the file name. */
export function writeResults(dir: string, run: Record<string, unknown>, results: BenchResult[]): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ ...run, results }, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ ...run, results }, null, 2)}\n`);
  return file;
}
