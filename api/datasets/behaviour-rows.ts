import { FEATURE_COLUMNS } from '../../topology/behaviour';
import type { JsonObject } from '../json';
import { csvCell } from '../routes/history-export';

/**
 * A behaviour dataset row: the device and a `behaviour.window` event's features (docs/contract.md,
 * "Network behaviour"). The one row format of `npm run dataset` and `GET /datasets/behaviour`.
 */
export type DatasetRow = { deviceId: string } & JsonObject;

export const DATASET_COLUMNS: readonly string[] = ['deviceId', ...FEATURE_COLUMNS];

/** The CSV header line. */
export function csvHeader(): string {
  return `${DATASET_COLUMNS.join(',')}\n`;
}

/** One CSV line: every column in order, null and absent empty. */
export function csvLine(row: DatasetRow): string {
  return `${DATASET_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`;
}

/** One JSON line: every column in order, absent as null. */
export function jsonLine(row: DatasetRow): string {
  return `${JSON.stringify(Object.fromEntries(DATASET_COLUMNS.map((c) => [c, row[c] ?? null])))}\n`;
}
