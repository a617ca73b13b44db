import { TwinfoldError } from '../shared/errors';

/** Twins are versioned, so the version is a strong ETag. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

/**
 * The version an `If-Match` header requires: undefined when absent or `*` (any current twin),
 * else the single strong ETag `"<version>"`. Weak tags, lists and anything else are rejected,
 * since a precondition we cannot evaluate must not be silently ignored.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return undefined;
  const match = /^"(\d{1,15})"$/.exec(value);
  if (match?.[1] !== undefined) return Number(match[1]);
  const hint = value.startsWith('W/') ? 'weak ETags never match' : 'expected one ETag such as "17"';
  throw new TwinfoldError('VALIDATION_ERROR', `invalid If-Match header: ${hint}`);
}
