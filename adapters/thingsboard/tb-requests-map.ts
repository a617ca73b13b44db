import { TwinfoldError } from '../../shared/errors';
import { assertDeviceId } from '../../shared/ids';
import { isJsonObject, ownValue, type JsonObject, type JsonValue } from '../../shared/json';
import { parseJsonSafely, type JsonLimits } from '../../shared/safe-json';
// The RPC method becomes the command's action: the REST API's own action pattern.
import { ACTION_PATTERN } from '../../api/validate';
import { GATEWAY_TOPICS, type GatewayMessage } from './gateway-topics';

/** A shared-attribute update from ThingsBoard: `{"device": "<name>", "data": {...}}`. */
export interface SharedAttributeUpdate {
  device: string;
  data: JsonObject;
}

/** A server-side RPC from ThingsBoard: `{"device", "data": {"id", "method", "params"}}`. */
export interface RpcRequest {
  device: string;
  id: number;
  method: string;
  params: JsonValue;
}

/**
 * What arrived on a gateway topic: a request of ThingsBoard's, or the adapter's own publication
 * on the same topic (a broker without ThingsBoard's semantics, such as a plain Mosquitto standing
 * in for it, echoes client attributes and RPC replies back to their publisher).
 */
export type Inbound<T> = { kind: 'request'; request: T } | { kind: 'own' };

/**
 * A message on `v1/gateway/attributes`. ThingsBoard's update names the device and carries the
 * changed shared attributes in `data`; deleted ones arrive as `data.deleted: ["<key>", ...]`.
 * Anything else with a string `device` is refused (VALIDATION_ERROR, INVALID_ID, MALFORMED_JSON,
 * LIMIT_EXCEEDED); an object of objects without `device` is the adapter's own client attributes.
 */
export function parseAttributeMessage(bytes: Buffer, limits: JsonLimits): Inbound<SharedAttributeUpdate> {
  const obj = parseObject(bytes, limits);
  if (!Object.hasOwn(obj, 'device') && Object.values(obj).every(isJsonObject)) return { kind: 'own' };
  const device = deviceOf(obj);
  const data = ownValue(obj, 'data');
  if (!isJsonObject(data)) throw invalid('data', 'must be an object of shared attributes');
  return { kind: 'request', request: { device, data } };
}

/**
 * A message on `v1/gateway/rpc`: ThingsBoard's request `{"device", "data": {"id", "method",
 * "params"}}`, with an integer id and a method usable as a command action; or the adapter's own
 * reply `{"device", "id", "data"}`.
 */
export function parseRpcMessage(bytes: Buffer, limits: JsonLimits): Inbound<RpcRequest> {
  const obj = parseObject(bytes, limits);
  const data = ownValue(obj, 'data');
  if (Object.hasOwn(obj, 'id') && !(isJsonObject(data) && Object.hasOwn(data, 'method')))
    return { kind: 'own' };
  const device = deviceOf(obj);
  if (!isJsonObject(data)) throw invalid('data', 'must be an object {"id", "method", "params"}');
  const id = ownValue(data, 'id');
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    throw invalid('data.id', 'must be a non-negative integer');
  const method = ownValue(data, 'method');
  if (typeof method !== 'string' || !ACTION_PATTERN.test(method))
    throw invalid('data.method', `must match ${ACTION_PATTERN.source}`);
  return { kind: 'request', request: { device, id, method, params: ownValue(data, 'params') ?? {} } };
}

/**
 * The device.desired record of a shared-attribute update: a merge patch of the accepted
 * attributes (all when `accepted` is empty; `deleted` keys become null). Undefined when the update
 * names none of them.
 */
export function desiredRecord(
  update: SharedAttributeUpdate,
  accepted: ReadonlySet<string>,
  requestId: string,
): JsonObject | undefined {
  const patch: JsonObject = {};
  const take = (key: string): boolean => accepted.size === 0 || accepted.has(key);
  for (const [key, value] of Object.entries(update.data)) {
    if (key === 'deleted' && Array.isArray(value)) continue;
    if (take(key)) patch[key] = value;
  }
  const deleted = ownValue(update.data, 'deleted');
  if (Array.isArray(deleted)) {
    for (const key of deleted) if (typeof key === 'string' && take(key)) patch[key] = null;
  }
  return Object.keys(patch).length === 0 ? undefined : { patch, requestId };
}

/** Prefix of the command ids the adapter gives RPCs; the RPC id is inside, so replies need no state. */
const RPC_COMMAND = /^tb-rpc-(\d{1,16})-[0-9a-f]{8}$/;

export function rpcCommandId(rpcId: number, nonce: string): string {
  return `tb-rpc-${rpcId}-${nonce}`;
}

/** The RPC id inside a command id the adapter made; undefined for any other command. */
export function rpcIdOf(commandId: string): number | undefined {
  const match = RPC_COMMAND.exec(commandId);
  return match ? Number(match[1]) : undefined;
}

/**
 * The device.commands record of an RPC: the method as action, object params as parameters (any
 * other params as `{"value": params}`), the RPC id inside the command id, `ttl` in seconds.
 */
export function commandRecord(rpc: RpcRequest, ttlSeconds: number, nonce: string): JsonObject {
  const parameters = isJsonObject(rpc.params) ? rpc.params : { value: rpc.params };
  return { command_id: rpcCommandId(rpc.id, nonce), action: rpc.method, parameters, ttl: ttlSeconds };
}

function parseObject(bytes: Buffer, limits: JsonLimits): JsonObject {
  const parsed = parseJsonSafely(bytes, limits);
  if (!isJsonObject(parsed)) throw new TwinfoldError('VALIDATION_ERROR', 'payload must be a JSON object');
  return parsed;
}

function deviceOf(obj: JsonObject): string {
  const device = ownValue(obj, 'device');
  if (typeof device !== 'string') throw invalid('device', 'must be the device name (a string)');
  return assertDeviceId(device);
}

function invalid(field: string, why: string): TwinfoldError {
  return new TwinfoldError('VALIDATION_ERROR', `${field} ${why}`, { details: { field } });
}

/** Command statuses that end a command: the RPC is answered then. */
const TERMINAL: ReadonlySet<string> = new Set(['acknowledged', 'failed', 'expired']);

/**
 * The reply on `v1/gateway/rpc` to the RPC behind a device.events `command.status` event:
 * `{"device", "id", "data": {"success", "status", "ackStatus"?, "result"?, "error"?}}` once the
 * command the RPC became is acknowledged (success true), failed or expired. Undefined for other
 * events, other statuses and commands the adapter did not make.
 */
export function rpcReply(deviceId: string, event: JsonObject): GatewayMessage | undefined {
  if (event.type !== 'command.status' || !isJsonObject(event.data)) return undefined;
  const { commandId, status, ackStatus, result, error } = event.data;
  if (typeof commandId !== 'string' || typeof status !== 'string' || !TERMINAL.has(status)) return undefined;
  const id = rpcIdOf(commandId);
  if (id === undefined) return undefined;
  const data: JsonObject = { success: status === 'acknowledged', status };
  if (ackStatus !== undefined) data.ackStatus = ackStatus;
  if (result !== undefined) data.result = result;
  if (error !== undefined) data.error = error;
  return { topic: GATEWAY_TOPICS.rpc, payload: JSON.stringify({ device: deviceId, id, data }) };
}
