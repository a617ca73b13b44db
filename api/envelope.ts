import type { ErrorCode } from '../shared/errors';

/** The response envelopes of docs/contract.md (REST section). */
export interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
  timestamp: string;
}

/** What a client may see of an error's details: the field in question, what history still has. */
export interface PublicErrorDetails {
  /** The request parameter (query parameter, header, body field) that was refused. */
  field?: string;
  /** With GONE: the oldest version the twin's history still has. */
  oldestVersion?: number;
  /** With GONE: the oldest time the twin's history still reaches (ISO-8601). */
  oldestTimestamp?: string;
}

export interface ErrorEnvelope {
  status: 'error';
  error: { code: ErrorCode; message: string; details?: PublicErrorDetails };
  timestamp: string;
}

export function successEnvelope<T>(data: T, now: Date = new Date()): SuccessEnvelope<T> {
  return { status: 'success', data, timestamp: now.toISOString() };
}

/**
 * The public part of an error's details; the rest (peer URLs, partitions, retry hints) stays in
 * logs and headers. Undefined when there is none.
 */
export function publicDetails(
  details: Readonly<Record<string, unknown>> | undefined,
): PublicErrorDetails | undefined {
  const out: PublicErrorDetails = {};
  if (typeof details?.field === 'string') out.field = details.field;
  if (typeof details?.oldestVersion === 'number') out.oldestVersion = details.oldestVersion;
  const oldest = details?.oldestTimestamp;
  if (typeof oldest === 'string' || (typeof oldest === 'number' && Number.isFinite(oldest)))
    out.oldestTimestamp = typeof oldest === 'string' ? oldest : new Date(oldest).toISOString();
  return Object.keys(out).length > 0 ? out : undefined;
}

export function errorEnvelope(
  code: ErrorCode,
  message: string,
  now: Date = new Date(),
  details?: PublicErrorDetails,
): ErrorEnvelope {
  return {
    status: 'error',
    error: { code, message, ...(details === undefined ? {} : { details }) },
    timestamp: now.toISOString(),
  };
}
