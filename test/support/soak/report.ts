import type { SoakReport } from './soak';

const kb = (n: number | undefined): string => (n === undefined ? 'no sample' : `${n} kB`);
const s = (ms: number | undefined): string => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** The figures of a soak, one per line, for the test's output and the closing note. */
export function formatReport(r: SoakReport): string[] {
  const byKind = new Map<string, number>();
  for (const f of r.faults) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
  const exits = new Map<string, number>();
  for (const e of r.exits) {
    const key = `${e.name} ${e.code === null ? 'by signal' : `code ${e.code}`}`;
    exits.set(key, (exits.get(key) ?? 0) + 1);
  }
  return [
    `wall time ${s(r.wallMs)}`,
    `messages: sent ${r.sent}, acknowledged ${r.seqs.acked}, in device.telemetry ${r.seqs.inKafka} ` +
      `(+${r.seqs.redelivered} bridge redeliveries), folded ${r.seqs.folded} ` +
      `(+${r.seqs.refolds} versions folding a redelivered copy)`,
    `faults survived: ${[...byKind].map(([k, n]) => `${k} x${n}`).join(', ') || 'none'}`,
    ...r.faults.map(
      (f) =>
        `  at +${s(f.atMs)}: ${f.kind} ${f.target}` +
        (f.lastedMs >= 1000 ? ` (lasted ${s(f.lastedMs)})` : '') +
        `, healthy and caught up ${s(f.recoveredAfterMs)} after it ended`,
    ),
    `process exits (each restarted): ${[...exits].map(([k, n]) => `${k} x${n}`).join(', ') || 'none'}`,
    `longest 503 window: ${s(r.longest503.ms)}${r.longest503.twin ? ` (${r.longest503.twin})` : ''}; ` +
      `reader answers by status: ${JSON.stringify(r.answers)}`,
    ...r.rss.map((t) => {
      const heap = r.heap.find((h) => h.instance === t.instance);
      const heapLine = heap ? `; V8 heap used ${kb(heap.firstKb)} -> ${kb(heap.lastKb)}` : '';
      const part = `${(t.windowMs / 60_000).toFixed(1)} min`;
      return `RSS ${t.instance}: first ${part} ${kb(t.firstKb)}, last ${part} ${kb(t.lastKb)}${heapLine}`;
    }),
    `problems: ${r.problems.length === 0 ? 'none' : r.problems.length}`,
  ];
}
