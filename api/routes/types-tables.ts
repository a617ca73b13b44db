import { TwinfoldError } from '../../shared/errors';
import { isJsonObject } from '../../shared/json';
import { parseJsonSafely } from '../../shared/safe-json';
import type { GlobalTable } from '../../topology/global-table';
import type { GlobalTableWriter } from '../../topology/global-table-writer';
import type { DeviceProfile } from '../../topology/traits';
import type { Rule } from '../../topology/rules';

/** A table entry with the time it was written. */
export interface Stamped<V> {
  value: V;
  updatedAt: string;
}

/**
 * The global tables behind `/types` and `/rules` on one instance: read from its own copies, written
 * through Kafka (`device.types`, `device.rules`), a write answered once this instance's copy has it.
 */
export interface GlobalTables {
  profiles: GlobalTable<Stamped<DeviceProfile>>;
  rules: GlobalTable<Stamped<Rule>>;
  writer: GlobalTableWriter;
  /** How long a write waits for this instance's copy to show it before 504 TIMEOUT. */
  writeWaitMs: number;
}

/** 400 VALIDATION_ERROR listing every offending field of a profile or rule, e.g. `when.op: ...`. */
export function invalidFields(
  what: string,
  errors: readonly { field: string; message: string }[],
): TwinfoldError {
  const listing = errors.map((e) => `${e.field || '(body)'}: ${e.message}`).join('; ');
  return new TwinfoldError('VALIDATION_ERROR', `invalid ${what}: ${listing}`, { details: { errors } });
}

/** The tables, or 503 on an instance built without them. */
export function requireTables(tables: GlobalTables | undefined): GlobalTables {
  if (tables) return tables;
  throw new TwinfoldError('NOT_READY', 'device types and rules are not served by this instance', {
    retriable: true,
  });
}

/** Writes one key (null: deletes it) and waits until this instance's copy of the table shows it. */
export async function writeAndWait<V>(
  tables: GlobalTables,
  table: GlobalTable<V>,
  key: string,
  value: object | null,
): Promise<void> {
  const at = await tables.writer.put(table.topic, key, value);
  if (!(await table.waitFor(at.partition, at.offset, tables.writeWaitMs))) {
    throw new TwinfoldError(
      'TIMEOUT',
      `the write of ${key} is in Kafka but this instance did not read it back within ${tables.writeWaitMs} ms`,
      { retriable: true },
    );
  }
}

/** The value a table keeps from a record written by writeAndWait: `{value, updatedAt}`, checked. */
export function stampedDecoder<V>(
  check: (input: unknown, key: string) => V,
): (key: string, bytes: Buffer) => Stamped<V> {
  return (key, bytes) => {
    const parsed = parseJsonSafely(bytes);
    if (!isJsonObject(parsed) || typeof parsed.updatedAt !== 'string')
      throw new Error('not an object with value and updatedAt');
    return { value: check(parsed.value, key), updatedAt: parsed.updatedAt };
  };
}
