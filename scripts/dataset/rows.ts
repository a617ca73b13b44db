import {
  csvHeader,
  csvLine,
  DATASET_COLUMNS,
  jsonLine,
  type DatasetRow,
} from '../../api/datasets/behaviour-rows';
import type { ScenarioMessage } from '../simulator/scenarios';

export type { DatasetRow };

/**
 * The behaviour.window rows a scenario's records close once every device has sent its closing
 * message (scenarios.ts closingMessages): one per device per window it sent in. Windows by receive
 * time, as the fold cuts them.
 */
export function expectedRows(
  messages: readonly ScenarioMessage[],
  windowMs: number,
  startMs: number,
): number {
  const windows = new Set<string>();
  for (const m of messages)
    windows.add(`${m.deviceId} ${Math.floor((startMs + m.at + m.latency) / windowMs)}`);
  return windows.size;
}

/**
 * Rows in a stable order (window, then device), one per device and window (a record the service
 * folded twice after a restart repeats its row), window starts made relative to `startMs`.
 */
export function stableRows(rows: readonly DatasetRow[], startMs: number): DatasetRow[] {
  const once = new Map<string, DatasetRow & { windowStart: number }>();
  for (const r of rows) {
    const row = { ...r, windowStart: Number(r.windowStart) - startMs };
    const key = `${row.deviceId} ${row.windowStart}`;
    if (!once.has(key)) once.set(key, row);
  }
  return [...once.values()].sort(
    (a, b) =>
      a.windowStart - b.windowStart || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0),
  );
}

export function toCsv(rows: readonly DatasetRow[], comment: string): string {
  return `# ${comment}\n${csvHeader()}${rows.map(csvLine).join('')}`;
}

export function toJsonl(rows: readonly DatasetRow[]): string {
  return rows.map(jsonLine).join('');
}

/** The data card: what the file holds, its features and units, and the label counts. */
export function dataCard(rows: readonly DatasetRow[], meta: Record<string, string | number>): string {
  const labels = new Map<string, number>();
  for (const r of rows) {
    const label = typeof r.label === 'string' ? r.label : 'normal (null)';
    labels.set(label, (labels.get(label) ?? 0) + 1);
  }
  const lines = [
    '# twinfold behaviour dataset',
    '',
    ...Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`),
    `- rows: ${rows.length}`,
    '',
    'One row per device per closed window. `windowStart` is ms from the scenario start (simulated',
    'time); the other features, their units and meanings are in docs/contract.md, "Network behaviour":',
    '',
    '| column | unit |',
    '| --- | --- |',
    ...DATASET_COLUMNS.map((c) => `| ${c} | ${UNITS[c] ?? ''} |`),
    '',
    '| label | rows |',
    '| --- | --- |',
    ...[...labels.entries()].sort().map(([l, n]) => `| ${l} | ${n} |`),
    '',
  ];
  return lines.join('\n');
}

const UNITS: Record<string, string> = {
  deviceId: 'text',
  windowStart: 'ms from start',
  windowMs: 'ms',
  messages: 'count',
  rate: 'msgs/s',
  avgRate: 'msgs/s',
  peakRate: 'msgs/s',
  bytesMean: 'bytes',
  sizeEntropy: 'bits',
  mixDistance: '0..1',
  latencyMs: 'ms',
  jitterMs: 'ms',
  interArrivalMs: 'ms',
  interArrivalCv: 'ratio',
  connects: 'count',
  disconnects: 'count',
  sessionMs: 'ms',
  label: 'text (null: normal)',
  qos0: 'share',
  qos1: 'share',
  qos2: 'share',
  telemetry: 'share',
  state: 'share',
  status: 'share',
  ack: 'share',
  error: 'share',
  dupRate: 'share',
  retainRate: 'share',
};
