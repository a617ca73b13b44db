import type { IHeaders } from 'kafkajs';
import { TwinfoldError } from '../../shared/errors';

/**
 * Hono's Kafka record headers: UTF-8 strings, non-string values JSON-encoded (`ttd: -1` arrives as
 * the text `-1`). These read one header and check it; each throws TwinfoldError for the dead letter.
 */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** A required non-empty text header. */
export function requiredHeader(headers: IHeaders | undefined, name: string): string {
  const value = headerText(headers, name);
  if (value === undefined || value === '')
    throw new TwinfoldError('VALIDATION_ERROR', `Hono record has no ${name} header`);
  return value;
}

/** An optional integer header within [min, max]. */
export function integerHeader(
  headers: IHeaders | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = headerText(headers, name);
  if (text === undefined) return undefined;
  const value = /^-?\d{1,16}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new TwinfoldError(
      'VALIDATION_ERROR',
      `Hono header ${name} must be an integer in ${min}..${max}, got ${JSON.stringify(text.slice(0, 64))}`,
    );
  return value;
}

/** The media type of `content-type`, lower case, without parameters (`; charset=utf-8`). */
export function mediaType(headers: IHeaders | undefined): string | undefined {
  const text = headerText(headers, 'content-type');
  if (text === undefined) return undefined;
  const type = text.split(';')[0]!.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** Every header as text (repeated ones: the last), e.g. to prefix and carry along. */
export function headerTexts(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers ?? {})) {
    const value = headerText(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
