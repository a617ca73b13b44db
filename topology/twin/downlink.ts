import { toTwinfoldError, type TwinfoldError } from '../../shared/errors';
import { parseJsonSafely, type JsonLimits } from '../../shared/safe-json';
import type { DownlinkMessage } from './model';

/** The value of a device.downlink record, as the processor writes it. */
export function encodeDownlink(message: DownlinkMessage): string {
  return JSON.stringify(message);
}

/**
 * Why the bridge would dead-letter this downlink record instead of publishing it (it parses every
 * record with the same limits: bytes, depth, keys), or undefined when it would deliver it.
 */
export function downlinkRefusal(message: DownlinkMessage, limits: JsonLimits): TwinfoldError | undefined {
  try {
    parseJsonSafely(encodeDownlink(message), limits);
    return undefined;
  } catch (err) {
    return toTwinfoldError(err);
  }
}
