import { TwinfoldError } from '../../shared/errors';
import type { ReadOptions } from '../backend';
import type { QueryParamSpec } from '../route';
import { parseIntegerParam } from '../validate';

/** The longest a read may wait for `minVersion`. */
export const MAX_WAIT_MS = 10_000;
/** How long it waits when the request gives `minVersion` without `waitMs`. */
export const DEFAULT_WAIT_MS = 5_000;

export const READ_YOUR_WRITES_QUERY: readonly QueryParamSpec[] = [
  {
    name: 'minVersion',
    description: 'Answer only once the twin has at least this version (e.g. the `version` a write returned)',
    schema: { type: 'integer', minimum: 1 },
  },
  {
    name: 'waitMs',
    description: `How long to wait for \`minVersion\` (ms, 0..${MAX_WAIT_MS}; default ${DEFAULT_WAIT_MS})`,
    schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS, default: DEFAULT_WAIT_MS },
  },
];

/** `minVersion` and `waitMs`; `waitMs` alone is meaningless and rejected, so a typo is not ignored. */
export function parseReadOptions(query: Readonly<Record<string, string>>): ReadOptions {
  if (query.minVersion === undefined) {
    if (query.waitMs !== undefined) throw new TwinfoldError('VALIDATION_ERROR', 'waitMs needs minVersion');
    return {};
  }
  return {
    minVersion: parseIntegerParam(query.minVersion, 'minVersion', 1, Number.MAX_SAFE_INTEGER),
    waitMs:
      query.waitMs === undefined
        ? DEFAULT_WAIT_MS
        : parseIntegerParam(query.waitMs, 'waitMs', 0, MAX_WAIT_MS),
  };
}

/** Backends that do not wait (the in-memory one) still must not answer below `minVersion`. */
export function assertMinVersion(id: string, version: number, options: ReadOptions): void {
  if (options.minVersion === undefined || version >= options.minVersion) return;
  throw new TwinfoldError(
    'TIMEOUT',
    `twin ${id} is at version ${version}; version ${options.minVersion} was not reached within ${options.waitMs ?? 0} ms`,
    { retriable: true, details: { version, minVersion: options.minVersion } },
  );
}
