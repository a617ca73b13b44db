import type { KafkaRecord } from '../../bridge/kafka-writer';
import { TwinfoldError } from '../../shared/errors';
import { decodeInput } from '../../shared/inputs';
import { getOwn, isPlainObject, parseJsonSafely } from '../../shared/safe-json';
import { headerText, integerHeader, mediaType, requiredHeader } from './headers';
import { carriedHeaders, honoDevice, type HonoMessage, type UplinkContext } from './uplink-map';

export const DELIVERY_FAILURE = 'application/vnd.eclipse-hono-delivery-failure-notification+json';

/** The ack status of a Hono response: `success` for a 2xx `status`, `failed` for any other. */
export function ackStatusOf(httpStatus: number): 'success' | 'failed' {
  return httpStatus >= 200 && httpStatus < 300 ? 'success' : 'failed';
}

/**
 * What the ack's `result` holds: Hono's `status`, the device's JSON response (`payload`), or the
 * `error` of a delivery failure Hono itself reports (device not connected, timeout, ...).
 */
function resultOf(httpStatus: number, message: HonoMessage, ctx: UplinkContext): Record<string, unknown> {
  const type = mediaType(message.headers);
  const empty = message.value === null || message.value.length === 0;
  if (type === DELIVERY_FAILURE) {
    const body = empty ? {} : parseJsonSafely(message.value!, ctx.limits);
    const error = isPlainObject(body) ? getOwn(body, 'error') : undefined;
    return { status: httpStatus, error: typeof error === 'string' ? error : 'delivery failed' };
  }
  if (empty) return { status: httpStatus };
  if (type !== undefined && (type === 'application/json' || type.endsWith('+json')))
    return { status: httpStatus, payload: parseJsonSafely(message.value!, ctx.limits) };
  return { status: httpStatus, contentType: headerText(message.headers, 'content-type') ?? null };
}

/**
 * One record of `hono.command_response.<tenant>` as a device.acks record for the twin: the
 * `correlation-id` is the twinfold command id, the HTTP `status` decides success. Pure; throws
 * TwinfoldError for a dead letter (no correlation-id, no or a bad status, bad JSON).
 */
export function mapResponse(tenant: string, message: HonoMessage, ctx: UplinkContext): KafkaRecord {
  const device = honoDevice(tenant, message);
  const commandId = requiredHeader(message.headers, 'correlation-id');
  const httpStatus = integerHeader(message.headers, 'status', 100, 599);
  if (httpStatus === undefined)
    throw new TwinfoldError('VALIDATION_ERROR', 'Hono command response has no status header');
  const ack = {
    command_id: commandId,
    status: ackStatusOf(httpStatus),
    result: resultOf(httpStatus, message, ctx),
  };
  const value = Buffer.from(JSON.stringify(ack), 'utf8');
  decodeInput('ack', device.twinId, value, ctx.nowMs, ctx.limits);
  return {
    topic: ctx.names.acks,
    message: { key: device.twinId, value, headers: carriedHeaders(message.headers) },
  };
}
