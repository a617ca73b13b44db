import type { ErrorCode } from '../shared/errors';

/** The response envelopes of docs/contract.md (REST section). */
export interface SuccessEnvelope<T> {
  status: 'success';
  data: T;
  timestamp: string;
}

export interface ErrorEnvelope {
  status: 'error';
  error: { code: ErrorCode; message: string };
  timestamp: string;
}

export function successEnvelope<T>(data: T, now: Date = new Date()): SuccessEnvelope<T> {
  return { status: 'success', data, timestamp: now.toISOString() };
}

export function errorEnvelope(code: ErrorCode, message: string, now: Date = new Date()): ErrorEnvelope {
  return { status: 'error', error: { code, message }, timestamp: now.toISOString() };
}
