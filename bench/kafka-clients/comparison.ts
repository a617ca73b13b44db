import { round } from '../stats';

/** One measured run of one client in one phase. */
export interface Run {
  records: number;
  seconds: number;
  cpuMicros: number;
  load: number;
  detail: string;
}

export const rate = (r: Run): number => r.records / Math.max(r.seconds, 0.001);
export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A row: the phase, then kafkajs's runs and @platformatic/kafka's. */
export type Row = [phase: string, kafkajs: Run[], platformatic: Run[]];

function cells(runs: Run[]): [string, string] {
  if (runs.length === 0) return ['n/a', 'n/a'];
  return [
    round(mean(runs.map(rate))).toLocaleString('en-US'),
    String(round(mean(runs.map((r) => r.cpuMicros)))),
  ];
}

/** The side-by-side table the benchmark prints: rate and CPU per record of each, and the ratios. */
export function comparisonTable(rows: Row[]): string {
  const head = [
    'phase',
    'kafkajs /s',
    'µs CPU',
    '@platformatic/kafka /s',
    'µs CPU',
    'rate ×',
    'CPU ×',
    'load',
  ];
  const body = rows.map(([phase, a, b]) => {
    const [ra, ca] = cells(a);
    const [rb, cb] = cells(b);
    const ratio = (f: (r: Run) => number): string =>
      a.length && b.length ? (mean(b.map(f)) / mean(a.map(f))).toFixed(2) : 'n/a';
    const loads = [...a, ...b].map((r) => r.load);
    const load = loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : '';
    return [phase, ra, ca, rb, cb, ratio(rate), ratio((r) => r.cpuMicros), load];
  });
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}
