import { TwinfoldError } from './errors';

/** docs/contract.md: device ids never become an MQTT wildcard or a path segment. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value);
}

/** Returns the id, or throws INVALID_ID with the offending value quoted (truncated). */
export function assertDeviceId(value: unknown): string {
  if (isDeviceId(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value;
  throw new TwinfoldError('INVALID_ID', `invalid device id ${shown}: must match ${DEVICE_ID_PATTERN.source}`);
}
