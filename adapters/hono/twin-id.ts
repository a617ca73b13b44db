import { assertDeviceId } from '../../shared/ids';

/** Between the tenant and the device id in a twin id; tenant ids never contain it (settings.ts). */
export const TWIN_ID_SEPARATOR = ':';

/**
 * The twin of Hono device `device` of tenant `tenant`: `<tenant>:<device>` (docs/contract.md). Throws
 * INVALID_ID when the result is not a twin id (a device id with other characters, or too long).
 */
export function honoTwinId(tenant: string, device: string): string {
  return assertDeviceId(`${tenant}${TWIN_ID_SEPARATOR}${device}`);
}

/**
 * The Hono tenant and device of a twin id, when its part before the first `:` is one of `tenants`;
 * undefined for every other twin (an MQTT device's, another adapter's tenant).
 */
export function splitTwinId(
  twinId: string,
  tenants: ReadonlySet<string>,
): { tenant: string; device: string } | undefined {
  const at = twinId.indexOf(TWIN_ID_SEPARATOR);
  if (at <= 0) return undefined;
  const tenant = twinId.slice(0, at);
  const device = twinId.slice(at + 1);
  return tenants.has(tenant) && device !== '' ? { tenant, device } : undefined;
}
