import type { KafkaRecord } from '../../bridge/kafka-writer';
import { parseDownlinkBody } from '../../bridge/downlink-record';
import type { JsonLimits } from '../../shared/safe-json';
import { getOwn, isPlainObject } from '../../shared/safe-json';
import { honoTopic } from './hono-topics';
import { splitTwinId } from './twin-id';

/**
 * A device.downlink command for a twin of one of `tenants` as Hono's command record on
 * `<prefix>command.<tenant>`: keyed by the Hono device id, the command's `parameters` as the JSON
 * value, headers `device_id`, `subject` (the action), `correlation-id` (the command id),
 * `response-required: true` and `content-type: application/json`. Undefined for anything else:
 * other twins, desired-state records, and records the MQTT bridge dead-letters already.
 */
export function mapCommand(
  key: Buffer | null,
  value: Buffer | null,
  prefix: string,
  tenants: ReadonlySet<string>,
  limits: JsonLimits,
): KafkaRecord | undefined {
  let body;
  try {
    body = parseDownlinkBody(key, value, limits);
  } catch {
    return undefined;
  }
  if (body.kind !== 'command') return undefined;
  const hono = splitTwinId(body.deviceId, tenants);
  if (hono === undefined) return undefined;
  const commandId = getOwn(body.payload, 'command_id');
  const action = getOwn(body.payload, 'action');
  const parameters = getOwn(body.payload, 'parameters');
  if (typeof commandId !== 'string' || typeof action !== 'string') return undefined;
  return {
    topic: honoTopic(prefix, 'command', hono.tenant),
    message: {
      key: hono.device,
      value: JSON.stringify(isPlainObject(parameters) ? parameters : {}),
      headers: {
        device_id: hono.device,
        subject: action,
        'correlation-id': commandId,
        'response-required': 'true',
        'content-type': 'application/json',
      },
    },
  };
}
